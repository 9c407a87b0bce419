// The model: lost property kept in a SQLite database file.
const { runSql } = require("./db.js");

function createModel(dbPath) {
  return {
    setup() {
      runSql(dbPath, `CREATE TABLE IF NOT EXISTS items (
        id INTEGER PRIMARY KEY,
        what TEXT NOT NULL,
        place TEXT NOT NULL
      )`);
    },

    // Stores an item and returns { id, what, place }.
    add(what, place) {
      // TODO: INSERT with ? placeholders, RETURNING id, what, place.
    },

    // Every item, newest first.
    all() {
      // TODO
      return [];
    },
  };
}

module.exports = { createModel };
