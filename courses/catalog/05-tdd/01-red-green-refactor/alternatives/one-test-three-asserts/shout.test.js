const test = require('node:test');
const assert = require('node:assert');
const { shout } = require('./shout.js');

test('shout', () => {
  assert.strictEqual(shout('hello'), 'HELLO!');
  assert.strictEqual(shout('Yes'), 'YES!');
  assert.strictEqual(shout('fire drill'), 'FIRE DRILL!');
});
