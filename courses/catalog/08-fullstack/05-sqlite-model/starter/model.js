// The guestbook's model, kept in a SQLite database file.
const { execFileSync } = require("node:child_process");

// Runs one piece of SQL on the database file and returns the rows as
// an array of objects. (Given: you do not need to change it.)
function runSql(dbPath, sql) {
  const output = execFileSync("sqlite3", ["-json", dbPath, sql], {
    encoding: "utf8",
  });
  return output.trim() === "" ? [] : JSON.parse(output);
}

// Makes a value safe to put inside SQL: 'O''Brien' for O'Brien.
function quote(value) {
  return String(value);
}

function createModel(dbPath) {
  return {
    setup() {
      // CREATE TABLE IF NOT EXISTS entries (...)
    },
    add(name, message) {
      // Trim, check, INSERT with quote(...), return the new entry.
    },
    all() {
      // Every entry, newest first.
      return [];
    },
    count() {
      return 0;
    },
  };
}

module.exports = { quote, runSql, createModel };
