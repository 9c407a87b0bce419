// How long an article takes to read, at 200 words a minute.

// Counts the words: any run of letters between spaces, tabs or new
// lines is one word.
function countWords(text) {
  const words = text.trim().split(/\s+/);
  return words[0] === "" ? 0 : words.length;
}

// Minutes to read the text, rounded up: a started minute counts.
function readingTime(text) {
  return Math.ceil(countWords(text) / 200);
}

module.exports = { countWords, readingTime };
