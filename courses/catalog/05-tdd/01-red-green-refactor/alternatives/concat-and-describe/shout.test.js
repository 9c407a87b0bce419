const { describe, it } = require('node:test');
const assert = require('node:assert');
const { shout } = require('./shout.js');

describe('shout', () => {
  it('makes letters capitals and adds !', () => {
    assert.strictEqual(shout('hello'), 'HELLO!');
  });
  it('works on two words', () => {
    assert.strictEqual(shout('good night'), 'GOOD NIGHT!');
  });
});
