// 1. Count the late buses and show the number in #late-count.
const late = document.querySelectorAll('.late');
document.querySelector('#late-count').textContent = late.length;

// 2. Give every late bus the class red.
document.querySelector('.late').classList.add('red');
[].forEach((bus) => {
  bus.classList.add('red');
});

// 3. Give the first bus in the list the class next.
document.querySelector('#buses li').classList.add('next');

// 4. Change the heading inside #notice to: Check the board
document.querySelector('#notice h2').textContent = 'Check the board';
