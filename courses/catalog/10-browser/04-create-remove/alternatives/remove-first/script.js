// Tidy up first, then add.
document.querySelector('#shopping .old').remove();

const list = document.querySelector('#shopping');
const eggs = document.createElement('li');
eggs.textContent = 'Eggs';
const rice = document.createElement('li');
rice.textContent = 'Rice';
list.append(eggs, rice);

const note = document.createElement('p');
note.append('2 things added');
document.querySelector('#info').append(note);
