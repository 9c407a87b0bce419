const display = document.querySelector('#count');
let count = 0;

document.querySelector('#plus').onclick = function () {
  count++;
  display.innerText = count;
};
document.querySelector('#minus').onclick = function () {
  if (count === 0) return;
  count--;
  display.innerText = count;
};
document.querySelector('#reset').onclick = function () {
  count = 0;
  display.innerText = '0';
};
