const count = document.querySelector('#count');
const first = document.querySelector('#first');
const items = document.querySelectorAll('#fruit li');

count.textContent = items.length;
first.textContent = items[0].textContent;
document.querySelector('#here').closest('section').classList.add('found');
