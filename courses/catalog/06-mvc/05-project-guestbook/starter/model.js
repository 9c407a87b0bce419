// The guestbook's model: entries and the rules for signing.

function createGuestbook() {
  return {
    sign(name, message) {
      // Trim, check the rules, store and return { id, name, message }.
    },
    entries() {
      // Copies of the entries, newest first.
      return [];
    },
    count() {
      return 0;
    },
  };
}

module.exports = { createGuestbook };
