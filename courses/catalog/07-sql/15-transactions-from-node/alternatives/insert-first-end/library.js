const { runSql } = require("./db.js");

function swapBook(db, loanId, bookId, day) {
  const rows = runSql(db, `
    begin;
    insert into loans (member_id, book_id, lent)
      select member_id, ?2, ?3 from loans where id = ?1 and back is null;
    update loans set back = ?3 where id = ?1;
    select id, member_id, book_id, lent from loans where id = last_insert_rowid();
    end;`, [loanId, bookId, day]);
  return rows[0];
}

module.exports = { swapBook };
