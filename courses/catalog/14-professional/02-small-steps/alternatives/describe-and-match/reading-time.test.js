const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const { countWords, readingTime } = require("./reading-time.js");

describe("countWords", () => {
  it("counts the words in the cat sat", () => {
    assert.equal(countWords("the cat sat"), 3);
  });
  it("skips spaces, tabs and new lines", () => {
    assert.equal(countWords("  the   cat\nsat  "), 3);
    assert.equal(countWords("a\tb"), 2);
  });
  it("finds nothing in an empty text", () => {
    assert.equal(countWords(""), 0);
  });
});

describe("readingTime", () => {
  const text = (n) => Array(n).fill("word").join(" ");
  it("is 0 for nothing", () => assert.equal(readingTime(""), 0));
  it("is 1 up to 200 words", () => {
    assert.equal(readingTime(text(3)), 1);
    assert.equal(readingTime(text(200)), 1);
  });
  it("rounds up", () => assert.equal(readingTime(text(201)), 2));
});
