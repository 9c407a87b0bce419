const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('#late-count shows how many buses are late', () => {
  const page = openPage();
  const want = String(page.count('#buses .late'));
  assert.equal(page.text('#late-count'), want,
    `#late-count shows "${page.text('#late-count')}" but ${want} buses have the class late. Count them with querySelectorAll('.late').length.`);
});

test('every late bus has the class red, and no other bus has it', () => {
  const page = openPage();
  const late = page.count('#buses .late');
  assert.equal(page.count('#buses .late.red'), late,
    `Only ${page.count('#buses .late.red')} of the ${late} late buses got the class red. querySelector finds just the first: use querySelectorAll and a loop.`);
  assert.equal(page.count('.red'), late, 'Only the late buses should get the class red.');
});

test('the first bus has the class next, and only it', () => {
  const page = openPage();
  assert.ok(page.classes('#buses li').includes('next'), 'The first <li> in #buses should get the class next.');
  assert.equal(page.count('.next'), 1, 'Only one bus should have the class next.');
});

test('the heading inside #notice says Check the board', () => {
  const page = openPage();
  assert.equal(page.text('#notice h2'), 'Check the board',
    `The <h2> inside #notice says "${page.text('#notice h2')}". Select it with '#notice h2'.`);
  assert.equal(page.text('h1'), 'Buses today', 'The page heading <h1> should stay as it was: select the <h2> inside #notice.');
});
