const form = document.querySelector('#signup');
const message = document.querySelector('#message');
const name = document.querySelector('#name').value.trim();
const age = Number(document.querySelector('#age').value);

function show(text, kind) {
  message.textContent = text;
  message.classList.remove('error', 'ok');
  message.classList.add(kind);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (name === '') {
    show('Please write your name.', 'error');
  } else if (Number.isNaN(age) || age < 16) {
    show('You must be 16 or older.', 'error');
  } else {
    show(`Welcome to the club, ${name}!`, 'ok');
    form.reset();
  }
});
