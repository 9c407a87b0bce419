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
      const rows = runSql(dbPath,
        "INSERT INTO items (what, place) VALUES ('" + what + "', '" +
        place + "') RETURNING id, what, place");
      return rows[0];
    },

    // Every item, newest first.
    all() {
      return runSql(dbPath,
        "SELECT id, what, place FROM items ORDER BY id DESC");
    },
  };
}

module.exports = { createModel };
