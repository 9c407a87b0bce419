const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

const cases = [
  [[2, 4, 6], 4],
  [[], 0],
  [[0, 0, 3], 1],
  [[-2, -4], -3],
  [[1, 2], 1.5],
];

for (const [numbers, expected] of cases) {
  test(`average of ${JSON.stringify(numbers)} is ${expected}`, () => {
    assert.deepStrictEqual(average(numbers), expected);
  });
}
