// shout(text) gives the text in capital letters with a ! at the end.
function shout(text) {
  return '';
}

module.exports = { shout };
