function countWords(text) {
  const words = text.trim().split(/\s+/);
  return words[0] === "" ? 0 : words.length;
}
function readingTime(text) {
  const n = countWords(text);
  return n === 0 ? 0 : Math.max(1, Math.round(n / 200));
}
module.exports = { countWords, readingTime };
