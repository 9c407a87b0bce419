const form = document.querySelector('#signup');
const nameBox = document.querySelector('#name');
const ageBox = document.querySelector('#age');
const message = document.querySelector('#message');

function show(text, kind) {
  message.textContent = text;
  message.classList.remove('error', 'ok');
  message.classList.add(kind);
}

form.onsubmit = (event) => {
  event.preventDefault();
  let name = nameBox.value;
  name = name.trim();
  let age = Number(ageBox.value);
  if (name == '') {
    show('Please write your name.', 'error');
  } else if (ageBox.value.trim() == '' || !(age >= 16)) {
    show('You must be 16 or older.', 'error');
  } else {
    show(`Welcome to the club, ${name}!`, 'ok');
    nameBox.value = '';
    ageBox.value = '';
  }
};
