const display = document.querySelector('#count');
let count = 0;

function addOne() {
  count += 1;
  display.textContent = String(count);
}
function takeOne() {
  count = count > 0 ? count - 1 : 0;
  display.textContent = String(count);
}
function startAgain() {
  count = 0;
  display.textContent = String(count);
}

document.querySelector('#plus').addEventListener('click', addOne);
document.querySelector('#minus').addEventListener('click', takeOne);
document.querySelector('#reset').addEventListener('click', startAgain);
