const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('the badge shows the name Rosa and the job Baker', () => {
  const page = openPage();
  assert.equal(page.text('#name'), 'Rosa', `#name says "${page.text('#name')}". Set its textContent to person.name.`);
  assert.equal(page.text('#job'), 'Baker', `#job says "${page.text('#job')}". Set its textContent to person.job.`);
});

test('the photo has src rosa.png and alt Photo of Rosa', () => {
  const page = openPage();
  assert.equal(page.attr('#photo', 'src'), 'rosa.png', `The photo's src is "${page.attr('#photo', 'src')}". Use setAttribute('src', person.photo).`);
  assert.equal(page.attr('#photo', 'alt'), 'Photo of Rosa', `The photo's alt is "${page.attr('#photo', 'alt')}". It should be: Photo of Rosa.`);
});

test('the profile link points at rosa.html', () => {
  const page = openPage();
  assert.equal(page.attr('#profile', 'href'), 'rosa.html', `The link's href is "${page.attr('#profile', 'href')}". It should be rosa.html, in small letters.`);
});

test('the badge has the classes card and staff, not visitor', () => {
  const page = openPage();
  const classes = page.classes('#badge');
  assert.ok(!classes.includes('visitor'), 'The badge still has the class visitor. Use classList.remove.');
  assert.ok(classes.includes('staff'), 'The badge needs the class staff. Use classList.add.');
  assert.ok(classes.includes('card'), 'The badge lost the class card. classList.add and remove change one class and keep the others.');
});
