let count = 0;
const buses = document.querySelectorAll('li');
for (let i = 0; i < buses.length; i++) {
  if (buses[i].classList.contains('late')) {
    buses[i].classList.add('red');
    count = count + 1;
  }
}
document.querySelector('#late-count').innerText = count;
document.querySelector('li:first-child').classList.add('next');
document.querySelector('div h2').textContent = 'Check the board';
