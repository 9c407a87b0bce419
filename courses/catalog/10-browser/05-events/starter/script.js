const display = document.querySelector('#count');
const plus = document.querySelector('#plus');
const minus = document.querySelector('#minus');
const reset = document.querySelector('#reset');

let count = 0;

// 1. When #plus is clicked, add one and show the new number.

// 2. When #minus is clicked, take one away, but never go below 0.

// 3. When #reset is clicked, go back to 0.
