// Counts the words in a text file and shows the most common ones.
const fs = require("node:fs");

// Splits text into lower-case words: "The cat, the hat" gives
// ["the", "cat", "the", "hat"].
function words(text) {
  return text.toLowerCase().match(/[a-z']+/g) || [];
}

// Returns [word, count] pairs, most common first.
function tally(text) {
  const counts = new Map();
  for (const word of words(text)) {
    counts.set(word, (counts.get(word) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.log("Usage: node tally.js FILE");
    console.log("Shows how many words FILE has, and the top five.");
    process.exit(1);
  }
  const text = fs.readFileSync(file, "utf8");
  console.log(`${file} has ${words(text).length} words.`);
  for (const [word, count] of tally(text).slice(0, 5)) {
    console.log(`  ${word}: ${count}`);
  }
}

module.exports = { words, tally };
