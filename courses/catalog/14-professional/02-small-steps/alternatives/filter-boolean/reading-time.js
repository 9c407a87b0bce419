function countWords(text) {
  return text.split(/[ \t\n]+/).filter(Boolean).length;
}

function readingTime(text) {
  const words = countWords(text);
  if (words === 0) return 0;
  return Math.ceil(words / 200);
}

module.exports = { countWords, readingTime };
