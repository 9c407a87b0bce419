function countWords(text) {
  const words = text.trim().split(/\s+/);
  return words[0] === "" ? 0 : words.length;
}
function readingTime(text) {
  return Math.max(1, Math.ceil(countWords(text) / 200));
}
module.exports = { countWords, readingTime };
