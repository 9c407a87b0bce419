const test = require('node:test');
const assert = require('node:assert');
const { greet } = require('./greet.js');

test("greet('Sam') says hello to Sam", () => {
  assert.strictEqual(greet('Sam'), 'Hello, Sam!');
});

test('greet works for another name', () => {
  assert.strictEqual(greet('Ann'), 'Hello, Ann!', 'greet should use the name it is given');
});
