const test = require('node:test');
const assert = require('node:assert/strict');
const { shout } = require('./shout.js');

test("shout('hello') gives 'HELLO!'", () => {
  assert.equal(shout('hello'), 'HELLO!');
});

test("shout('Good morning') gives 'GOOD MORNING!'", () => {
  assert.equal(shout('Good morning'), 'GOOD MORNING!');
});
