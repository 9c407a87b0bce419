// The guestbook's model: entries and the rules for signing.

function clean(value, emptyMessage, maxLength, tooLongMessage) {
  const text = String(value ?? "").trim();
  if (text === "") {
    throw new Error(emptyMessage);
  }
  if (text.length > maxLength) {
    throw new Error(tooLongMessage);
  }
  return text;
}

function createGuestbook() {
  const entries = [];
  let nextId = 1;

  return {
    sign(name, message) {
      const entry = {
        id: nextId,
        name: clean(name, "Please give your name", 40,
          "Your name can be at most 40 characters"),
        message: clean(message, "Please write a message", 200,
          "Your message can be at most 200 characters"),
      };
      nextId = nextId + 1;
      entries.push(entry);
      return { ...entry };
    },
    entries() {
      return entries.map((entry) => ({ ...entry }));
    },
    count() {
      return entries.length;
    },
  };
}

module.exports = { createGuestbook };
