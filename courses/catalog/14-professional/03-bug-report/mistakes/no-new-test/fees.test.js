const test = require("node:test");
const assert = require("node:assert");
const { lateFee } = require("./fees.js");

test("3 days late costs 60p", () => {
  assert.strictEqual(lateFee(3), 60);
});

// Before you change fees.js: add a test here that shows the bug in
// bug-report.md. Run it and see it fail. Then fix fees.js.
