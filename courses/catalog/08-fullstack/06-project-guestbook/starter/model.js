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
  // Make value safe inside SQL (see the last exercise).
  return String(value);
}

function createGuestbook(dbPath) {
  return {
    setup() {
      // Create the entries table if it does not exist.
    },
    sign(name, message) {
      // Trim, check the rules, INSERT, return { id, name, message }.
    },
    entries() {
      // Newest first.
      return [];
    },
    count() {
      return 0;
    },
  };
}

module.exports = { quote, runSql, createGuestbook };
