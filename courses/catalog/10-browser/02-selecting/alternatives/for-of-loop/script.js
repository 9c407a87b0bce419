const lateBuses = document.querySelectorAll('#buses .bus.late');
document.getElementById('late-count').textContent = String(lateBuses.length);

for (const bus of lateBuses) {
  bus.classList.add('red');
}

document.querySelector('#buses').firstElementChild.classList.add('next');
document.querySelector('#notice').querySelector('h2').textContent = 'Check the board';
