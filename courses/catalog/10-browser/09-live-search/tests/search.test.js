const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

const NAMES = ['Amina', 'Bongani', 'Chen Wei', 'Daniel', 'Eve', 'Frank'];

function shown(page) {
  return NAMES.filter((name, i) => page.visible(`#people > li:nth-child(${i + 1})`));
}

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('at the start everyone is shown and #found says 6 found', () => {
  const page = openPage();
  assert.deepEqual(shown(page), NAMES, 'Before anything is typed, every name should be shown.');
  assert.equal(page.text('#found'), '6 found', `#found says "${page.text('#found')}". Call update() once when the page loads.`);
});

test('typing shows only the names that contain the text', () => {
  const page = openPage();
  page.type('#search', 'an');
  assert.deepEqual(shown(page), ['Bongani', 'Daniel', 'Frank'],
    `After typing "an" the page shows ${shown(page).join(', ') || 'nobody'}. Listen for the input event on #search and hide the names without "an".`);
  assert.equal(page.text('#found'), '3 found', `#found says "${page.text('#found')}"; 3 names are shown.`);
});

test('small and capital letters both count', () => {
  const page = openPage();
  page.type('#search', 'DAN');
  assert.deepEqual(shown(page), ['Daniel'], 'Typing DAN should find Daniel. Compare both in small letters with toLowerCase().');
  page.type('#search', 'am');
  assert.deepEqual(shown(page), ['Amina'], 'Typing am should find Amina.');
});

test('a text nobody has shows no one and 0 found', () => {
  const page = openPage();
  page.type('#search', 'zz');
  assert.deepEqual(shown(page), [], 'Nobody has zz in their name, so every name should be hidden.');
  assert.equal(page.text('#found'), '0 found');
});

test('deleting the text shows everyone again', () => {
  const page = openPage();
  page.type('#search', 'eve');
  page.type('#search', '');
  assert.deepEqual(shown(page), NAMES, 'With the box empty again, every name should be shown: set hidden back to false.');
  assert.equal(page.text('#found'), '6 found');
});

test('Escape empties the box and shows everyone', () => {
  const page = openPage();
  page.type('#search', 'chen');
  page.key('#search', 'Escape');
  assert.equal(page.value('#search'), '', 'Pressing Escape in #search should empty it (search.value = \'\').');
  assert.deepEqual(shown(page), NAMES,
    'After Escape every name should be shown. Setting the value by script fires no input event: call update() yourself.');
  assert.equal(page.text('#found'), '6 found');
});
