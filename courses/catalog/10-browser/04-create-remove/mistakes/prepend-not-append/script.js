const list = document.querySelector('#shopping');

// 1. Add two new items at the end of the list: Eggs, then Rice.
function addItem(text) {
  const item = document.createElement('li');
  item.textContent = text;
  list.prepend(item);
}
addItem('Eggs');
addItem('Rice');

// 2. Take the item with the class old off the page.
document.querySelector('.old').remove();

// 3. Put a new <p> inside #info that says: 2 things added
const note = document.createElement('p');
note.textContent = '2 things added';
document.querySelector('#info').append(note);
