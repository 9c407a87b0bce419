function shout(text) {
  const loud = text.toUpperCase();
  return loud.concat('!');
}

module.exports = { shout: shout };
