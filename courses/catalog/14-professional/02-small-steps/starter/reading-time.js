// How long an article takes to read, at 200 words a minute.

// Counts the words: any run of letters between spaces, tabs or new
// lines is one word.
function countWords(text) {
  // Step 1 and 2 go here, one small step at a time.
}

// Minutes to read the text, rounded up: a started minute counts.
function readingTime(text) {
  // Steps 3 and 4 go here.
}

module.exports = { countWords, readingTime };
