const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const { lateFee } = require("./fees.js");

describe("lateFee", () => {
  it("charges 20p a day", () => {
    assert.equal(lateFee(3), 60);
  });
  it("charges at most 500p (bug report: 30 days cost 600p)", () => {
    assert.equal(lateFee(30), 500);
    assert.equal(lateFee(26), 500);
  });
});
