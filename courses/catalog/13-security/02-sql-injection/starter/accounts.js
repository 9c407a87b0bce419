// The library's member accounts: a name and a 4-digit PIN.
const { runSql } = require("./db.js");

function createAccounts(dbPath) {
  return {
    setup() {
      runSql(dbPath, `CREATE TABLE IF NOT EXISTS accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        pin TEXT NOT NULL
      )`);
    },

    // Adds a member and returns { id, name }.
    add(name, pin) {
      // DANGER: the values are pasted into the SQL text.
      const rows = runSql(dbPath,
        "INSERT INTO accounts (name, pin) VALUES ('" + name +
        "', '" + pin + "') RETURNING id, name");
      return rows[0];
    },

    // Returns { id, name } when the name and PIN match, else null.
    login(name, pin) {
      // DANGER: the values are pasted into the SQL text.
      const rows = runSql(dbPath,
        "SELECT id, name FROM accounts WHERE name = '" + name +
        "' AND pin = '" + pin + "'");
      return rows.length > 0 ? rows[0] : null;
    },
  };
}

module.exports = { createAccounts };
