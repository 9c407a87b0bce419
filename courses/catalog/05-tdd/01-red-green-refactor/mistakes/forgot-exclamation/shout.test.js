const test = require('node:test');
const assert = require('node:assert');
const { shout } = require('./shout.js');

test('shout makes a word loud', () => {
  assert.strictEqual(shout('hello').startsWith('HELLO'), true);
});
