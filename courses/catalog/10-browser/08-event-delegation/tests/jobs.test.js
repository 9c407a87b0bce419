const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

const job = (n) => `#jobs > li:nth-child(${n})`;

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('Done on the second job marks that job finished, and only it', () => {
  const page = openPage();
  page.click(`${job(2)} .done`);
  assert.ok(page.classes(job(2)).includes('finished'),
    'After a click on the second Done button, its <li> should have the class finished. Use event.target.closest(\'li\').');
  assert.equal(page.count('#jobs .finished'), 1, 'Only the job whose button was clicked should be finished.');
  assert.equal(page.text(`${job(2)} .done`), 'Undo', 'The button of a finished job should say Undo.');
});

test('a second click on the button un-marks the job', () => {
  const page = openPage();
  page.click(`${job(1)} .done`);
  page.click(`${job(1)} .done`);
  assert.ok(!page.classes(job(1)).includes('finished'), 'A second click should take the class finished away (classList.toggle).');
  assert.equal(page.text(`${job(1)} .done`), 'Done', 'The button should say Done again.');
});

test('a job added later can be marked finished too', () => {
  const page = openPage();
  page.type('#job', 'Wash the cups');
  page.click('#add');
  assert.equal(page.count('#jobs > li'), 4, 'The Add button should still add a job: keep the code given to you.');
  page.click(`${job(4)} .done`);
  assert.ok(page.classes(job(4)).includes('finished'),
    'The new job\'s Done button did nothing. A listener put on each button at the start never reaches buttons made later: listen on #jobs.');
});

test('a click on the words of a job does nothing', () => {
  const page = openPage();
  page.click(job(3));
  assert.equal(page.count('#jobs .finished'), 0,
    'Clicking the job itself (not its button) marked something. Check that event.target is a Done button first.');
});
