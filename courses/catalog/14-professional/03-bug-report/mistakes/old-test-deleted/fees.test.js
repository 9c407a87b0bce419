const test = require("node:test");
const assert = require("node:assert");
const { lateFee } = require("./fees.js");

test("30 days late costs 500p", () => {
  assert.strictEqual(lateFee(30), 500);
});

test("26 days late costs 500p", () => {
  assert.strictEqual(lateFee(26), 500);
});
