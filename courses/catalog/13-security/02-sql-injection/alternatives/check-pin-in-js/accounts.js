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
      const rows = runSql(dbPath,
        "INSERT INTO accounts (name, pin) VALUES (?, ?) RETURNING id, name",
        [name, pin]);
      return rows[0];
    },

    // Returns { id, name } when the name and PIN match, else null.
    login(name, pin) {
      const rows = runSql(dbPath,
        "SELECT id, name, pin FROM accounts WHERE name = ?", [name]);
      const found = rows.find((row) => row.pin === String(pin));
      if (!found) {
        return null;
      }
      return { id: found.id, name: found.name };
    },
  };
}

module.exports = { createAccounts };
