// The guestbook's model, kept in a SQLite database file.
// The same rules as the MVC guestbook: sign, entries, count.
const { execFileSync } = require("node:child_process");

// Runs one piece of SQL and returns the rows. (Given.)
function runSql(dbPath, sql) {
  const output = execFileSync("sqlite3", ["-json", dbPath, sql], {
    encoding: "utf8",
  });
  return output.trim() === "" ? [] : JSON.parse(output);
}

function quote(value) {
  return `'${String(value).split("'").join("''")}'`;
}

function clean(value, emptyMessage, maxLength, tooLongMessage) {
  const text = value == null ? "" : `${value}`.trim();
  if (!text) throw new Error(emptyMessage);
  if ([...text].length > maxLength) throw new Error(tooLongMessage);
  return text;
}

function createGuestbook(dbPath) {
  return {
    setup() {
      runSql(dbPath, `CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        message TEXT NOT NULL
      )`);
    },
    sign(name, message) {
      const cleanName = clean(name, "Please give your name", 40,
        "Your name can be at most 40 characters");
      const cleanMessage = clean(message, "Please write a message", 200,
        "Your message can be at most 200 characters");
      const rows = runSql(dbPath, `INSERT INTO entries (name, message)
        VALUES (${quote(cleanName)}, ${quote(cleanMessage)})
        RETURNING id, name, message`);
      return rows[0];
    },
    entries() {
      return runSql(dbPath,
        "SELECT id, name, message FROM entries ORDER BY id DESC");
    },
    count() {
      return runSql(dbPath, "SELECT COUNT(*) AS n FROM entries")[0].n;
    },
  };
}

module.exports = { quote, runSql, createGuestbook };
