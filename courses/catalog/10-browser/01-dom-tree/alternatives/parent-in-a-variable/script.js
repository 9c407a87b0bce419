const fruit = document.querySelector('#fruit');
const count = document.querySelector('#count');
const first = document.querySelector('#first');
const here = document.querySelector('#here');

const howMany = fruit.children.length;
count.textContent = `${howMany}`;

const firstItem = fruit.firstElementChild;
first.textContent = firstItem.textContent.trim();

const paragraph = here.parentElement;
const section = paragraph.parentElement;
section.classList.add('found');
console.log('Marked', section.id);
