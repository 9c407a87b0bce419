const form = document.querySelector('#signup');
const message = document.querySelector('#message');

function show(text, kind) {
  message.textContent = text;
  message.className = kind;
}

form.addEventListener('submit', function (event) {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const age = parseInt(form.elements.age.value, 10);
  if (!name) {
    return show('Please write your name.', 'error');
  }
  if (!(age >= 16)) {
    return show('You must be 16 or older.', 'error');
  }
  show('Welcome to the club, ' + name + '!', 'ok');
  document.querySelector('#name').value = '';
  document.querySelector('#age').value = '';
});
