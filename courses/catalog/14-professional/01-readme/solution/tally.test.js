const test = require("node:test");
const assert = require("node:assert");
const { words, tally } = require("./tally.js");

test("words splits text into lower-case words", () => {
  assert.deepStrictEqual(words("The cat, the hat"),
    ["the", "cat", "the", "hat"]);
});

test("tally counts each word, most common first", () => {
  assert.deepStrictEqual(tally("b a b"), [["b", 2], ["a", 1]]);
});
