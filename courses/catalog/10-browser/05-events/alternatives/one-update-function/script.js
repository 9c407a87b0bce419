const display = document.querySelector('#count');
let count = 0;

function change(by) {
  count = Math.max(0, count + by);
  display.textContent = count;
}

document.querySelector('#plus').addEventListener('click', () => change(1));
document.querySelector('#minus').addEventListener('click', () => change(-1));
document.querySelector('#reset').addEventListener('click', () => change(-count));
