function countWords(text) {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(" ").length;
}
function readingTime(text) {
  return Math.ceil(countWords(text) / 200);
}
module.exports = { countWords, readingTime };
