const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

// Fill the boxes and press the Join button, as a person would.
function send(name, age) {
  const page = openPage();
  page.type('#name', name);
  page.type('#age', age);
  const result = page.click('#signup button');
  assert.ok(!result.reloaded,
    'Sending the form loaded the page again, so your message was lost. Listen for the form\'s submit event and call event.preventDefault() first.');
  return page;
}

function expectError(page, text) {
  assert.equal(page.text('#message'), text, `#message says "${page.text('#message')}" but should say "${text}".`);
  const classes = page.classes('#message');
  assert.ok(classes.includes('error') && !classes.includes('ok'), '#message should have the class error (and not ok) for this message.');
}

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('sending the form does not load the page again', () => {
  send('Sam', '30');
});

test('no name shows: Please write your name.', () => {
  expectError(send('', '30'), 'Please write your name.');
});

test('a name of only spaces counts as no name', () => {
  expectError(send('   ', '30'), 'Please write your name.');
});

test('an age under 16 shows: You must be 16 or older.', () => {
  expectError(send('Sam', '12'), 'You must be 16 or older.');
});

test('an age that is not a number shows the age message too', () => {
  expectError(send('Sam', 'twenty'), 'You must be 16 or older.');
  expectError(send('Sam', ''), 'You must be 16 or older.');
});

test('a good form shows Welcome to the club with the name', () => {
  const page = send('  Amina ', '16');
  assert.equal(page.text('#message'), 'Welcome to the club, Amina!',
    `#message says "${page.text('#message')}". Use the name without the spaces around it (trim).`);
  const classes = page.classes('#message');
  assert.ok(classes.includes('ok') && !classes.includes('error'), '#message should have the class ok, and not error.');
});

test('after a mistake, a good form clears the error', () => {
  const page = openPage();
  page.type('#age', '40');
  page.click('#signup button');
  page.type('#name', 'Lee');
  page.click('#signup button');
  assert.equal(page.text('#message'), 'Welcome to the club, Lee!');
  assert.ok(!page.classes('#message').includes('error'), 'The class error should be taken off when the form is right.');
});

test('a good form is emptied after it is sent', () => {
  const page = send('Ben', '22');
  assert.equal(page.value('#name'), '', 'After a welcome, empty the name box (form.reset() empties every box).');
  assert.equal(page.value('#age'), '', 'After a welcome, empty the age box too.');
});
