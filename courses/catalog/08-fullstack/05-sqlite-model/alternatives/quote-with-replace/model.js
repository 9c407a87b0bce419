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
  return `'${String(value).replace(/'/g, "''")}'`;
}

function required(value, message) {
  const text = String(value ?? "").trim();
  if (text === "") {
    throw new Error(message);
  }
  return text;
}

function createModel(dbPath) {
  return {
    setup() {
      runSql(dbPath, `CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        message TEXT NOT NULL
      )`);
    },
    add(name, message) {
      const cleanName = required(name, "Please give your name");
      const cleanMessage = required(message, "Please write a message");
      const rows = runSql(dbPath, `INSERT INTO entries (name, message)
        VALUES (${quote(cleanName)}, ${quote(cleanMessage)})
        RETURNING id, name, message`);
      return rows[0];
    },
    all() {
      return runSql(dbPath,
        "SELECT id, name, message FROM entries ORDER BY id DESC");
    },
    count() {
      return runSql(dbPath, "SELECT COUNT(*) AS n FROM entries")[0].n;
    },
  };
}

module.exports = { quote, runSql, createModel };
