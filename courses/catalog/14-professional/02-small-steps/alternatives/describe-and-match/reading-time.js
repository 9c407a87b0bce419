function countWords(text) {
  return (text.match(/\S+/g) || []).length;
}

const readingTime = (text) => Math.ceil(countWords(text) / 200);

module.exports = { countWords, readingTime };
