// Find the parts of the page you need.
const fruit = document.querySelector('#fruit');
const count = document.querySelector('#count');
const first = document.querySelector('#first');
const here = document.querySelector('#here');

// 1. Put the number of children of the fruit list into count.
count.textContent = fruit.children;

// 2. Put the words of the first child of the fruit list into first.
first.textContent = fruit.firstElementChild.textContent;

// 3. Give the parent of the paragraph holding "here" the class found.
here.parentElement.parentElement.classList.add('found');
