const shout = (text) => `${text.toUpperCase()}!`;

module.exports = { shout };
