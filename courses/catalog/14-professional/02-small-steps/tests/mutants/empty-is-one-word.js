function countWords(text) {
  return text.trim().split(/\s+/).length;
}
function readingTime(text) {
  return Math.ceil(countWords(text) / 200);
}
module.exports = { countWords, readingTime };
