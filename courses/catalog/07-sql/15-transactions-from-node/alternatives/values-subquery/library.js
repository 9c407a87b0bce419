const { runSql } = require("./db.js");

function swapBook(db, loanId, bookId, day) {
  const sql = [
    "BEGIN TRANSACTION;",
    "UPDATE loans SET back = ?3 WHERE id = ?1;",
    "INSERT INTO loans (member_id, book_id, lent)",
    "  VALUES ((SELECT member_id FROM loans WHERE id = ?1), ?2, ?3)",
    "  RETURNING id, member_id, book_id, lent;",
    "COMMIT TRANSACTION;",
  ].join("\n");
  const [newLoan] = runSql(db, sql, [loanId, bookId, day]);
  return newLoan;
}

module.exports = { swapBook };
