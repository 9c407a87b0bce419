function shout(text) {
  return text + '!';
}

module.exports = { shout };
