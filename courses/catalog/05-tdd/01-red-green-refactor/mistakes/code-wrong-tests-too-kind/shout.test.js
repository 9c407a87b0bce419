const test = require('node:test');
const assert = require('node:assert');
const { shout } = require('./shout.js');

test('shout adds !', () => {
  assert.ok(shout('fire drill').endsWith('!'));
});
