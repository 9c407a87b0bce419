const { runSql } = require("./db.js");

function swapBook(db, loanId, bookId, day) {
  // Reading needs no transaction: nothing is changed yet.
  const [old] = runSql(db, "SELECT member_id FROM loans WHERE id = ?", [loanId]);
  const rows = runSql(db, `BEGIN;
UPDATE loans SET back = ?1 WHERE id = ?2;
INSERT INTO loans (member_id, book_id, lent) VALUES (?3, ?4, ?1)
  RETURNING id, member_id, book_id, lent;
COMMIT;`, [day, loanId, old.member_id, bookId]);
  return rows[0];
}

module.exports = { swapBook };
