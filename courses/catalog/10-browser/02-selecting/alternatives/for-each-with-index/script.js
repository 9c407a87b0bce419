const all = document.querySelectorAll('.bus');
all.forEach(function (bus, index) {
  if (index === 0) bus.classList.add('next');
});
const late = document.querySelectorAll('.late');
late.forEach(function (bus) { bus.className += ' red'; });
document.querySelector('#late-count').textContent = late.length;
const heading = document.querySelector('#notice > h2');
heading.textContent = 'Check the board';
