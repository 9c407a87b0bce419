const test = require("node:test");
const assert = require("node:assert");
const { lateFee } = require("./fees.js");

test("3 days late costs 60p", () => {
  assert.strictEqual(lateFee(3), 60);
});

test("the bug: 30 days late costs 500p, not 600p", () => {
  assert.strictEqual(lateFee(30), 500);
});

test("the fee stops at 500p from 25 days", () => {
  assert.strictEqual(lateFee(25), 500);
  assert.strictEqual(lateFee(26), 500);
  assert.strictEqual(lateFee(24), 480);
});

test("a book on time costs nothing", () => {
  assert.strictEqual(lateFee(0), 0);
});
