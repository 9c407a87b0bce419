const display = document.querySelector('#count');
let count = 0;

function addOne() {
  count = count + 1;
  display.textContent = count;
}

document.querySelector('#plus').addEventListener('click', addOne());
document.querySelector('#minus').addEventListener('click', () => {
  if (count > 0) count = count - 1;
  display.textContent = count;
});
document.querySelector('#reset').addEventListener('click', () => {
  count = 0;
  display.textContent = count;
});
