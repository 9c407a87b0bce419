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
// 1. Stop the browser from loading the page again.
// 2. No name (or only spaces): show "Please write your name." as an error.
// 3. Age not a number, or under 16: show "You must be 16 or older." as an error.
// 4. Otherwise: show "Welcome to the club, Sam!" (with their name) as ok,
//    and empty the form.
