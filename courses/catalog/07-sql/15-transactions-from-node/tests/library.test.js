const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
// During a check your code runs in a sandbox of its own: check.cjs
// makes a database file there and looks inside it for the tests.
const check = require('/slate/harness/check.cjs');

// Without its -- comments: sqlite3 would read a leading -- as an option.
const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixture.sql'), 'utf8')
  .replace(/--[^\n]*/g, '')
  .trim();

function load() {
  let mod;
  try {
    mod = require('./library.js');
  } catch (err) {
    assert.fail(`library.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.swapBook !== 'function') {
    assert.fail('There is no function called swapBook. Keep the module.exports line.');
  }
  return mod;
}

// A fresh database in a temporary folder, removed afterwards.
async function withDb(fn) {
  const folder = check.tempDir('slate-db-');
  try {
    const db = path.join(folder, 'library.db');
    check.sqlite(db, FIXTURE);
    return await fn(db);
  } finally {
    check.removeDir(folder);
  }
}

function loan(db, id) {
  return check.sqlite(db, `SELECT id, member_id, book_id, lent, back FROM loans WHERE id = ${Number(id)}`)[0];
}

function count(db) {
  return check.sqlite(db, 'SELECT COUNT(*) AS n FROM loans')[0].n;
}

test("swapBook(db, 3, 9, '2026-12-01') takes loan 3 back and lends book 9", async () => {
  const { swapBook } = load();
  await withDb((db) => {
    let made;
    try {
      made = swapBook(db, 3, 9, '2026-12-01');
    } catch (err) {
      assert.fail(`swapBook(db, 3, 9, '2026-12-01') stopped with an error: ${err.message.replace(/\s*\(\d+\)$/, '')}`);
    }
    assert.equal(loan(db, 3).back, '2026-12-01',
      'Loan 3 should now have back = 2026-12-01. If the UPDATE is in a runSql call of its own after BEGIN, '
      + 'that call ends before any COMMIT, and its work is thrown away');
    assert.deepEqual(made, { id: 10, member_id: 1, book_id: 9, lent: '2026-12-01' },
      'swapBook should give back the new loan { id: 10, member_id: 1, book_id: 9, lent: "2026-12-01" }. '
      + 'In a script of several statements, number the placeholders ?1, ?2, ?3');
    assert.equal(count(db), 10, 'There should be 10 loans after one swap');
  });
});

test('swapBook works for another member and day', async () => {
  const { swapBook } = load();
  await withDb((db) => {
    let made;
    try {
      made = swapBook(db, 7, 2, '2026-12-03');
    } catch (err) {
      assert.fail(`swapBook(db, 7, 2, '2026-12-03') stopped with an error: ${err.message.replace(/\s*\(\d+\)$/, '')}`);
    }
    assert.deepEqual(made, { id: 10, member_id: 3, book_id: 2, lent: '2026-12-03' },
      'Loan 7 belongs to member 3: the new loan of book 2 should be theirs');
    assert.equal(loan(db, 7).back, '2026-12-03', 'Loan 7 should now be back on 2026-12-03');
  });
});

test('When the new book is already out, nothing changes and swapBook throws', async () => {
  const { swapBook } = load();
  await withDb((db) => {
    let threw = false;
    try {
      swapBook(db, 5, 1, '2026-12-02');
    } catch (err) {
      threw = true;
    }
    const old = loan(db, 5);
    assert.equal(old.back, null,
      'Book 1 is already out, so the swap failed, but loan 5 was marked as back: half a change. '
      + 'Put the UPDATE and the INSERT in ONE runSql call, between BEGIN; and COMMIT;');
    assert.equal(count(db), 9, 'A failed swap should not add a loan');
    assert.ok(threw, 'swapBook should let the error out (throw) when the swap fails, so the counter knows');
  });
});
