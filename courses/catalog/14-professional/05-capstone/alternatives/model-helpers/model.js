const { runSql } = require("./db.js");

const CREATE = `CREATE TABLE IF NOT EXISTS items (
  id INTEGER PRIMARY KEY,
  what TEXT NOT NULL,
  place TEXT NOT NULL
)`;
const INSERT = "insert into items (what, place) values (?1, ?2)";
const NEWEST = "select id, what, place from items order by id desc";

function createModel(dbPath) {
  return {
    setup: () => runSql(dbPath, CREATE),
    add(what, place) {
      runSql(dbPath, INSERT, [what, place]);
      return runSql(dbPath, NEWEST + " limit 1")[0];
    },
    all: () => runSql(dbPath, NEWEST),
  };
}

module.exports = { createModel };
