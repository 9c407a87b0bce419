// Press Run: this builds a fresh library database in a temporary
// folder from library.sql, then tries two swaps at the counter.
// The second asks for book 1, which is already out (loan 8).
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { runSql } = require("./db.js");
const { swapBook } = require("./library.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));
const db = path.join(folder, "library.db");
runSql(db, fs.readFileSync("library.sql", "utf8"));

function loan(id) {
  return runSql(db, "SELECT * FROM loans WHERE id = ?", [id])[0];
}

try {
  console.log("Swap loan 3 for book 9:", swapBook(db, 3, 9, "2026-12-01"));
} catch (error) {
  console.log("Swap loan 3 for book 9 failed:", error.message);
}
console.log("  loan 3 is now:", loan(3));

try {
  console.log("Swap loan 5 for book 1:", swapBook(db, 5, 1, "2026-12-02"));
} catch (error) {
  console.log("Swap loan 5 for book 1 failed:", error.message);
}
console.log("  loan 5 is now:", loan(5));
console.log("  (if loan 5 has a back date, Carl's book was taken in,");
console.log("   but he got no new book: half a change)");
fs.rmSync(folder, { recursive: true, force: true });
