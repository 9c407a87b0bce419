const test = require('node:test');
const assert = require('node:assert/strict');
const { lateFee } = require('./fees.js');

test('lateFee(30) is 500: the bug in the report is fixed', () => {
  assert.equal(lateFee(30), 500, 'lateFee(30) should be 500 (the most anyone pays), as the bug report says');
});

test('lateFee is never more than 500', () => {
  for (const days of [26, 27, 29, 31, 100, 365]) {
    assert.equal(lateFee(days), 500, `lateFee(${days}) should be 500`);
  }
});

test('ordinary fees are still 20p a day', () => {
  for (const [days, fee] of [[1, 20], [3, 60], [24, 480], [25, 500]]) {
    assert.equal(lateFee(days), fee, `lateFee(${days}) should be ${fee}`);
  }
});

test('a book on time or early costs nothing', () => {
  assert.equal(lateFee(0), 0, 'lateFee(0) should be 0');
  assert.equal(lateFee(-2), 0, 'lateFee(-2) should be 0: the book came back early');
});
