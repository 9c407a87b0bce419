const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

function clicks(page, selector, times) {
  for (let i = 0; i < times; i++) page.click(selector);
}

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('the count starts at 0', () => {
  assert.equal(openPage().text('#count'), '0');
});

test('each click on One more adds one', () => {
  const page = openPage();
  page.click('#plus');
  assert.equal(page.text('#count'), '1', `After one click on #plus the page shows "${page.text('#count')}". Did you add a click listener to #plus that shows the count?`);
  clicks(page, '#plus', 2);
  assert.equal(page.text('#count'), '3', `After three clicks the page shows "${page.text('#count')}". Keep the count in a let variable outside the handler.`);
});

test('One less takes one away', () => {
  const page = openPage();
  clicks(page, '#plus', 4);
  page.click('#minus');
  assert.equal(page.text('#count'), '3', `4 more and 1 less should show 3; the page shows "${page.text('#count')}".`);
});

test('One less never goes below 0', () => {
  const page = openPage();
  page.click('#plus');
  clicks(page, '#minus', 3);
  assert.equal(page.text('#count'), '0', `The count went to "${page.text('#count')}". Only take one away when the count is more than 0.`);
  page.click('#plus');
  assert.equal(page.text('#count'), '1', 'After going down to 0, One more should show 1.');
});

test('Start again goes back to 0, and counting goes on from there', () => {
  const page = openPage();
  clicks(page, '#plus', 5);
  page.click('#reset');
  assert.equal(page.text('#count'), '0', `After Start again the page shows "${page.text('#count')}".`);
  page.click('#plus');
  assert.equal(page.text('#count'), '1', 'After Start again, the next One more should show 1: set the count variable back to 0, not just the text.');
});
