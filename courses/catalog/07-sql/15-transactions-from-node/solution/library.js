// Swapping a book at the library counter.
const { runSql } = require("./db.js");

// The member of loan loanId brings that book back on day and takes
// book bookId instead. Gives back the new loan:
// { id, member_id, book_id, lent }.
// If anything fails, NOTHING changes, and the error is thrown.
function swapBook(db, loanId, bookId, day) {
  const rows = runSql(db, `
    BEGIN;
    UPDATE loans SET back = ?3 WHERE id = ?1;
    INSERT INTO loans (member_id, book_id, lent)
      SELECT member_id, ?2, ?3 FROM loans WHERE id = ?1
      RETURNING id, member_id, book_id, lent;
    COMMIT;`,
    [loanId, bookId, day]);
  return rows[0];
}

module.exports = { swapBook };
