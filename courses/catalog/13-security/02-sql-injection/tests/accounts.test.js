const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const check = require('/slate/harness/check.cjs');

function load() {
  let mod;
  try {
    mod = require('./accounts.js');
  } catch (err) {
    assert.fail(`accounts.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.createAccounts !== 'function') {
    assert.fail('accounts.js should export a function called createAccounts');
  }
  return mod;
}

// Look inside the database directly, without the learner's code.
function peek(dbPath, sql) {
  return check.sqlite(dbPath, sql);
}

// A fresh database with Ada (PIN 4321) and Sam (PIN 9876) in it.
async function withAccounts(fn) {
  const folder = check.tempDir('slate-acc-');
  const dbPath = path.join(folder, 'library.db');
  try {
    const accounts = load().createAccounts(dbPath);
    accounts.setup();
    for (const [name, pin] of [['Ada', '4321'], ['Sam', '9876']]) {
      try {
        accounts.add(name, pin);
      } catch (err) {
        assert.fail(`add('${name}', '${pin}') stopped with an error: ${err.message}`);
      }
    }
    return await fn(accounts, dbPath);
  } finally {
    check.removeDir(folder);
  }
}

function tryLogin(accounts, name, pin) {
  try {
    return accounts.login(name, pin);
  } catch (err) {
    assert.fail(`login(${JSON.stringify(name)}, ${JSON.stringify(pin)}) stopped with an error: ${err.message}. ` +
      'The values should go in as data, through ? placeholders, never as part of the SQL text.');
  }
}

test("add('Ada', '4321') stores the member and returns { id, name }", async () => {
  const folder = check.tempDir('slate-acc-');
  const dbPath = path.join(folder, 'library.db');
  try {
    const accounts = load().createAccounts(dbPath);
    accounts.setup();
    assert.deepEqual(accounts.add('Ada', '4321'), { id: 1, name: 'Ada' },
      "add('Ada', '4321') should return { id: 1, name: 'Ada' }. " +
      "Placeholders are a bare ?, with no quotes around them");
    assert.deepEqual(peek(dbPath, 'SELECT name, pin FROM accounts'), [{ name: 'Ada', pin: '4321' }],
      "The accounts table should hold the row Ada, 4321. Placeholders are a bare ?, with no quotes around them");
  } finally {
    check.removeDir(folder);
  }
});

test('login with the right name and PIN returns the member', async () => {
  await withAccounts(async (accounts) => {
    assert.deepEqual(tryLogin(accounts, 'Ada', '4321'), { id: 1, name: 'Ada' },
      "login('Ada', '4321') should return { id: 1, name: 'Ada' }. Are the values in the same order as the ? in the SQL?");
    assert.deepEqual(tryLogin(accounts, 'Sam', '9876'), { id: 2, name: 'Sam' },
      "login('Sam', '9876') should return { id: 2, name: 'Sam' }");
  });
});

test('login with a wrong PIN or an unknown name returns null', async () => {
  await withAccounts(async (accounts) => {
    assert.equal(tryLogin(accounts, 'Ada', '0000'), null, "login('Ada', '0000') should return null: wrong PIN");
    assert.equal(tryLogin(accounts, 'Ada', '9876'), null, "login('Ada', '9876') should return null: that is Sam's PIN");
    assert.equal(tryLogin(accounts, 'Zoe', '4321'), null, "login('Zoe', '4321') should return null: there is no Zoe");
  });
});

test("the name Ada' -- does not get in without the PIN", async () => {
  await withAccounts(async (accounts) => {
    assert.equal(tryLogin(accounts, "Ada' --", ''), null,
      "login(\"Ada' --\", '') let the attacker in as Ada! The -- turned the PIN check into a comment. " +
      'Use ? placeholders in login instead of pasting the name into the SQL');
  });
});

test("the PIN ' OR '1'='1 does not get in", async () => {
  await withAccounts(async (accounts) => {
    assert.equal(tryLogin(accounts, 'Ada', "' OR '1'='1"), null,
      "login('Ada', \"' OR '1'='1\") let the attacker in! The PIN became part of the SQL. " +
      'Put the PIN in through a ? placeholder too');
    assert.equal(tryLogin(accounts, "x' OR 1=1 --", 'x'), null,
      "login(\"x' OR 1=1 --\", 'x') let the attacker in! Use ? placeholders for every value");
  });
});

test('a UNION attack in the name finds nobody', async () => {
  await withAccounts(async (accounts) => {
    assert.equal(tryLogin(accounts, "x' UNION SELECT 99, 'admin' --", ''), null,
      'A name with UNION SELECT in it made up a member called admin! Use ? placeholders for every value');
  });
});

test("a name with a quote, like O'Brien, can join and log in", async () => {
  await withAccounts(async (accounts, dbPath) => {
    let added;
    try {
      added = accounts.add("Pat O'Brien", '1111');
    } catch (err) {
      assert.fail("add(\"Pat O'Brien\", '1111') broke: the quote in the name ended the SQL text early. " +
        'Use ? placeholders in add too');
    }
    assert.deepEqual(added, { id: 3, name: "Pat O'Brien" }, "add should return { id: 3, name: \"Pat O'Brien\" }");
    assert.deepEqual(tryLogin(accounts, "Pat O'Brien", '1111'), { id: 3, name: "Pat O'Brien" },
      "Pat O'Brien should be able to log in with PIN 1111");
    assert.deepEqual(peek(dbPath, 'SELECT name FROM accounts WHERE id = 3'), [{ name: "Pat O'Brien" }],
      'The name should be stored exactly as typed');
  });
});

test('SQL typed into a name is stored as text, never run', async () => {
  await withAccounts(async (accounts, dbPath) => {
    const sneaky = "x', 'y'); DROP TABLE accounts; --";
    try {
      accounts.add(sneaky, '2222');
    } catch (err) {
      assert.fail('add() broke on a name with a quote in it. Use ? placeholders in add too');
    }
    const tables = peek(dbPath, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => row.name);
    assert.ok(tables.includes('accounts'), 'The accounts table was dropped by a name! Use ? placeholders in add');
    assert.deepEqual(peek(dbPath, 'SELECT name, pin FROM accounts WHERE id = 3'), [{ name: sneaky, pin: '2222' }],
      'The sneaky name should be stored as plain text');
  });
});
