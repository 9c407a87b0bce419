// Press Run: this builds a fresh database in a temporary folder from
// library.sql, asks your functions some questions, and shows the
// answers. Watch the author with a ' in his name.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { runSql } = require("./db.js");
const { booksBy, addMember, booksBetween } = require("./library.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));
const db = path.join(folder, "library.db");
runSql(db, fs.readFileSync("library.sql", "utf8"));

function show(label, work) {
  try {
    console.log(label, work());
  } catch (error) {
    console.log(label, "stopped with an error:", error.message);
  }
}

show("booksBy Charles Dickens:", () => booksBy(db, "Charles Dickens"));
show("booksBy Flann O'Brien:", () => booksBy(db, "Flann O'Brien"));
show("booksBy x' OR '1'='1:", () => booksBy(db, "x' OR '1'='1"));
show("addMember:", () => addMember(db, "Seán O'Neill", "C"));
show("booksBetween 1900 and 1970:", () => booksBetween(db, 1900, 1970));
show("Members now:", () => runSql(db, "SELECT * FROM members"));
fs.rmSync(folder, { recursive: true, force: true });
