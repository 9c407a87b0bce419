const test = require("node:test");
const assert = require("node:assert");
const { countWords, readingTime } = require("./reading-time.js");

function words(n) {
  return "word ".repeat(n);
}

test("reading time works", () => {
  assert.strictEqual(countWords("the cat sat"), 3);
  assert.strictEqual(countWords("  the   cat\nsat  "), 3);
  assert.strictEqual(countWords(""), 0);
  assert.strictEqual(readingTime(words(200)), 1);
  assert.strictEqual(readingTime(""), 0);
  assert.strictEqual(readingTime(words(201)), 2);
});
