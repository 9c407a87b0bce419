// Runs SQL on a SQLite database file with the sqlite3 program.
// (Given: you do not need to change it.)
//
// runSql(dbPath, sql, params) returns the rows as an array of
// objects. Each ? in the SQL is a placeholder: the values in params
// fill them in order, and are only ever treated as data.
//
//   runSql(db, "SELECT * FROM books WHERE author = ?", ["Ada"])
//
// How: the values travel as JSON into SQLite's own parameter table,
// and sqlite3 binds them to the ?s. They never become part of the
// SQL text, so no value can change what the SQL does.
const { execFileSync } = require("node:child_process");

// Runs the sqlite3 program. When the computer is too busy to start
// one more program (EAGAIN), it waits a moment and tries again.
function sqlite3(args, input) {
  for (let attempt = 1; ; attempt++) {
    try {
      return execFileSync("sqlite3", args, {
        input,
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (error) {
      if (error.code !== "EAGAIN" || attempt === 5) {
        throw error;
      }
      const until = Date.now() + 50 * attempt;
      while (Date.now() < until) {
        // wait
      }
    }
  }
}

function runSql(dbPath, sql, params = []) {
  const values = JSON.stringify(params.map((v) => v ?? null));
  const script = [
    ".parameter init",
    "INSERT INTO temp.sqlite_parameters (key, value)",
    "  SELECT '?' || (key + 1), value",
    "  FROM json_each('" + values.replaceAll("'", "''") + "');",
    sql,
  ].join("\n");
  let output;
  try {
    output = sqlite3(["-json", "-bail", dbPath], script + "\n");
  } catch (error) {
    const why = String(error.stderr || error.message).trim();
    const first = why.split("\n")[0].replace(/^.*near line \d+: /, "");
    throw new Error("SQL problem: " + first);
  }
  return output.trim() === "" ? [] : JSON.parse(output);
}

module.exports = { runSql };
