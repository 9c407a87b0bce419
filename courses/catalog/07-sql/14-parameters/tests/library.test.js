const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
// During a check your code runs in a sandbox of its own: check.cjs
// makes a database file there and looks inside it for the tests.
const check = require('/slate/harness/check.cjs');

const FIXTURE = `
CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, wing TEXT NOT NULL);
INSERT INTO members (id, name, wing) VALUES (1, 'Ade Bello', 'A'), (2, 'Carl Dunne', 'B'), (3, 'Eli Fox', 'C');
CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author TEXT NOT NULL, year INTEGER);
INSERT INTO books (id, title, author, year) VALUES
  (1, 'Oliver Twist', 'Charles Dickens', 1838),
  (2, 'Hard Times', 'Charles Dickens', 1854),
  (3, 'At Swim-Two-Birds', 'Flann O''Brien', 1939),
  (4, 'The Third Policeman', 'Flann O''Brien', 1967),
  (5, 'Of Mice and Men', 'John Steinbeck', 1937),
  (6, 'Beloved', 'Toni Morrison', 1987),
  (7, 'Things Fall Apart', 'Chinua Achebe', 1958);
`;

function load() {
  let mod;
  try {
    mod = require('./library.js');
  } catch (err) {
    assert.fail(`library.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['booksBy', 'addMember', 'booksBetween']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
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

function calm(what, work) {
  try {
    return work();
  } catch (err) {
    const pasted = /SQL problem/.test(err.message)
      ? ' Was a value pasted into the SQL text? Put a ? there and the value in the list.'
      : '';
    assert.fail(`${what} stopped with an error: ${err.message}.${pasted}`);
  }
}

test("booksBy(db, 'Charles Dickens') gives his books, oldest first", async () => {
  const { booksBy } = load();
  await withDb((db) => {
    const rows = calm("booksBy(db, 'Charles Dickens')", () => booksBy(db, 'Charles Dickens'));
    assert.deepEqual(rows, [{ title: 'Oliver Twist', year: 1838 }, { title: 'Hard Times', year: 1854 }],
      "booksBy(db, 'Charles Dickens') should give [{ title: 'Oliver Twist', year: 1838 }, { title: 'Hard Times', year: 1854 }]. "
      + 'If it gives [], check that the ? has no quotes around it and that the value is in the list');
  });
});

test("booksBy works for an author with ' in the name", async () => {
  const { booksBy } = load();
  await withDb((db) => {
    const rows = calm("booksBy(db, \"Flann O'Brien\")", () => booksBy(db, "Flann O'Brien"));
    assert.deepEqual(rows.map((r) => r.title), ['At Swim-Two-Birds', 'The Third Policeman'],
      "booksBy(db, \"Flann O'Brien\") should give his two books");
  });
});

test('booksBy treats a tricky author as a name, not as SQL', async () => {
  const { booksBy } = load();
  await withDb((db) => {
    const rows = calm('booksBy', () => booksBy(db, "x' OR '1'='1"));
    assert.deepEqual(rows, [],
      "booksBy(db, \"x' OR '1'='1\") gave books, but no author has that name: the value became part of the SQL. "
      + 'Use author = ? and [author]');
  });
});

test('addMember stores the name and wing and gives back the new row', async () => {
  const { addMember } = load();
  await withDb((db) => {
    const row = calm("addMember(db, 'Dan Evans', 'B')", () => addMember(db, 'Dan Evans', 'B'));
    assert.deepEqual(row, { id: 4, name: 'Dan Evans', wing: 'B' },
      "addMember(db, 'Dan Evans', 'B') should give back { id: 4, name: 'Dan Evans', wing: 'B' }: the values go in the list in the order of the ?s");
    const stored = check.sqlite(db, 'SELECT name, wing FROM members WHERE id = 4');
    assert.deepEqual(stored, [{ name: 'Dan Evans', wing: 'B' }], 'The new member should be in the members table');
  });
});

test('addMember stores any name exactly as typed, quotes and all', async () => {
  const { addMember } = load();
  await withDb((db) => {
    const sneaky = "Bobby'); DELETE FROM members; --";
    const row = calm('addMember', () => addMember(db, sneaky, 'A'));
    const stored = check.sqlite(db, 'SELECT id, name FROM members ORDER BY id');
    assert.equal(stored.length, 4, `After adding one member there should be 4 members, but there are ${stored.length}: `
      + 'the name was run as SQL. Use VALUES (?, ?) and [name, wing]');
    assert.equal(stored[3].name, sneaky, 'The name should be stored exactly as it was typed');
    assert.equal(row && row.name, sneaky, 'addMember should give back the stored row');
    const irish = calm('addMember', () => addMember(db, "Seán O'Neill", 'C'));
    assert.equal(irish && irish.name, "Seán O'Neill", "addMember(db, \"Seán O'Neill\", 'C') should store the name as it is");
  });
});

test('booksBetween(db, 1930, 1960) gives the titles from those years, oldest first', async () => {
  const { booksBetween } = load();
  await withDb((db) => {
    const titles = calm('booksBetween(db, 1930, 1960)', () => booksBetween(db, 1930, 1960));
    assert.deepEqual(titles, ['Of Mice and Men', 'At Swim-Two-Birds', 'Things Fall Apart'],
      'booksBetween(db, 1930, 1960) should give the three titles from 1937, 1939 and 1958');
    const none = calm('booksBetween', () => booksBetween(db, '2000', '1 OR 1=1'));
    assert.deepEqual(none, [], "booksBetween(db, '2000', '1 OR 1=1') should find nothing: use BETWEEN ? AND ? and [from, to]");
  });
});
