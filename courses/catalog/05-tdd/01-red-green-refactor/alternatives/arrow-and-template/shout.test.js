const { test } = require('node:test');
const assert = require('node:assert/strict');
const { shout } = require('./shout.js');

test('a word', () => {
  assert.equal(shout('hi'), 'HI!');
});

test('words with a space', () => {
  assert.equal(shout('fire drill'), 'FIRE DRILL!');
});
