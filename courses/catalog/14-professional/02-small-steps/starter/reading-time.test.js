const test = require("node:test");
const assert = require("node:assert");
const { countWords, readingTime } = require("./reading-time.js");

// A text of n words, handy for steps 3 and 4: words(201)
function words(n) {
  return "word ".repeat(n);
}

// Step 1: write its test here, see it fail, then make it pass.
