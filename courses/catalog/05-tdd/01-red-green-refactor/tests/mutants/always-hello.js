function shout(text) {
  return 'HELLO!';
}

module.exports = { shout };
