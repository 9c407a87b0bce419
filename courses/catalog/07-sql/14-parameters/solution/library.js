// The library's questions, asked from node.
// These build SQL by gluing text together. Change every one of them
// to use ? placeholders and a list of values instead.
const { runSql } = require("./db.js");

// The books by one author: [{ title, year }, ...], oldest first.
function booksBy(db, author) {
  return runSql(db,
    "SELECT title, year FROM books WHERE author = ? ORDER BY year",
    [author]);
}

// Adds a member; gives back the new row: { id, name, wing }.
function addMember(db, name, wing) {
  const rows = runSql(db,
    `INSERT INTO members (name, wing) VALUES (?, ?)
     RETURNING id, name, wing`,
    [name, wing]);
  return rows[0];
}

// The titles of the books from one year to another (both included),
// oldest first: ["Hard Times", ...].
function booksBetween(db, from, to) {
  const rows = runSql(db,
    "SELECT title FROM books WHERE year BETWEEN ? AND ? ORDER BY year",
    [from, to]);
  return rows.map((row) => row.title);
}

module.exports = { booksBy, addMember, booksBetween };
