const form = document.querySelector('#signup');
const nameBox = document.querySelector('#name');
const ageBox = document.querySelector('#age');
const message = document.querySelector('#message');

// Shows text in #message with the class error or ok (and not the other).
function show(text, kind) {
  message.textContent = text;
  message.classList.remove('error', 'ok');
  message.classList.add(kind);
}

// When the form is sent:
form.addEventListener('submit', (event) => {
  const name = nameBox.value.trim();
  const age = Number(ageBox.value);

  if (name === '') {
    show('Please write your name.', 'error');
  } else if (Number.isNaN(age) || age < 16) {
    show('You must be 16 or older.', 'error');
  } else {
    show(`Welcome to the club, ${name}!`, 'ok');
    form.reset();
  }
});
