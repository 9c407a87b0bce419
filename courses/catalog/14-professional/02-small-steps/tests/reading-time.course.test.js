const test = require('node:test');
const assert = require('node:assert/strict');
const { countWords, readingTime } = require('./reading-time.js');

const words = (n) => 'word '.repeat(n);

test("countWords('the cat sat') gives 3", () => {
  assert.equal(countWords('the cat sat'), 3);
});

test('countWords ignores extra spaces, tabs and new lines', () => {
  assert.equal(countWords('  the   cat\nsat  '), 3, "countWords('  the   cat\\nsat  ') should be 3");
  assert.equal(countWords('one\ttwo\n\nthree four'), 4, "countWords('one\\ttwo\\n\\nthree four') should be 4");
});

test("countWords('') gives 0", () => {
  assert.equal(countWords(''), 0);
  assert.equal(countWords('   \n '), 0, 'A text of only spaces and new lines has 0 words');
});

test('readingTime is 1 minute for 1 to 200 words and 0 for nothing', () => {
  assert.equal(readingTime('hello'), 1, 'One word should take 1 minute');
  assert.equal(readingTime(words(200)), 1, '200 words should take 1 minute');
  assert.equal(readingTime(''), 0, 'An empty text should take 0 minutes');
});

test('readingTime rounds up: 201 words take 2 minutes', () => {
  assert.equal(readingTime(words(201)), 2, '201 words should take 2 minutes: a started minute counts');
  assert.equal(readingTime(words(400)), 2, '400 words should take 2 minutes');
  assert.equal(readingTime(words(401)), 3, '401 words should take 3 minutes');
});
