const test = require("node:test");
const assert = require("node:assert");
const { lateFee } = require("./fees.js");

test("3 days late costs 60p", () => {
  assert.strictEqual(lateFee(3), 60);
});

test("never more than 500p, whatever the days", () => {
  for (let days = 1; days <= 40; days++) {
    assert.ok(lateFee(days) <= 500, `${days} days cost ${lateFee(days)}p`);
  }
});
