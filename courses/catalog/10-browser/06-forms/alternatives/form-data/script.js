const form = document.querySelector('#signup');
const message = document.querySelector('#message');

function problem(name, age) {
  if (name.length === 0) return 'Please write your name.';
  if (age === '' || isNaN(age) || Number(age) < 16) return 'You must be 16 or older.';
  return null;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const name = String(data.get('name')).trim();
  const age = String(data.get('age')).trim();
  const text = problem(name, age);
  if (text) {
    message.textContent = text;
    message.classList.add('error');
    message.classList.remove('ok');
  } else {
    message.textContent = `Welcome to the club, ${name}!`;
    message.classList.replace('error', 'ok') || message.classList.add('ok');
    form.reset();
  }
});
