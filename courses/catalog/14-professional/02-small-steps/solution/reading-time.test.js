const test = require("node:test");
const assert = require("node:assert");
const { countWords, readingTime } = require("./reading-time.js");

// A text of n words, handy for steps 3 and 4: words(201)
function words(n) {
  return "word ".repeat(n);
}

test("step 1: countWords counts words between spaces", () => {
  assert.strictEqual(countWords("the cat sat"), 3);
});

test("step 2: extra spaces and new lines are not words", () => {
  assert.strictEqual(countWords("  the   cat\nsat  "), 3);
  assert.strictEqual(countWords("the\tcat"), 2);
  assert.strictEqual(countWords(""), 0);
});

test("step 3: up to 200 words is 1 minute, nothing is 0", () => {
  assert.strictEqual(readingTime(words(1)), 1);
  assert.strictEqual(readingTime(words(200)), 1);
  assert.strictEqual(readingTime(""), 0);
});

test("step 4: a started minute counts", () => {
  assert.strictEqual(readingTime(words(201)), 2);
  assert.strictEqual(readingTime(words(400)), 2);
  assert.strictEqual(readingTime(words(401)), 3);
});
