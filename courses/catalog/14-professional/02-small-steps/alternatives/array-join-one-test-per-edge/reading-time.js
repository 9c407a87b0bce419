function countWords(text) {
  let count = 0;
  let inWord = false;
  for (const letter of text) {
    const gap = letter === " " || letter === "\n" || letter === "\t";
    if (!gap && !inWord) {
      count = count + 1;
    }
    inWord = !gap;
  }
  return count;
}

function readingTime(text) {
  const n = countWords(text);
  let minutes = Math.floor(n / 200);
  if (n % 200 > 0) {
    minutes = minutes + 1;
  }
  return minutes;
}

module.exports = { countWords, readingTime };
