// Runs SQL on a SQLite database file with the sqlite3 program.
// (Given: you do not need to change it.)
//
// runSql(dbPath, sql, params) returns the rows as an array of
// objects. Each ? in the SQL is a placeholder: the values in params
// fill them in order, and are only ever treated as data.
//
//   runSql(db, "SELECT * FROM items WHERE place = ?", ["Hall"])
const { execFileSync } = require("node:child_process");

function runSql(dbPath, sql, params = []) {
  const values = JSON.stringify(params.map((v) => v ?? null));
  const script = [
    ".parameter init",
    "INSERT INTO temp.sqlite_parameters",
    "  (key, value)",
    "  SELECT '?' || (key + 1), value",
    "  FROM json_each('" + values.replaceAll("'", "''") + "');",
    sql,
  ].join("\n");
  let output;
  try {
    output = execFileSync("sqlite3", ["-json", "-bail", dbPath], {
      input: script + "\n",
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    const why = String(error.stderr || error.message).trim();
    const first = why.split("\n")[0].replace(/^.*near line \d+: /, "");
    throw new Error("SQL problem: " + first);
  }
  return output.trim() === "" ? [] : JSON.parse(output);
}

module.exports = { runSql };
