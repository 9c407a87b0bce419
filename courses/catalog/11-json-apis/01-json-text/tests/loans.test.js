const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./loans.js');
  } catch (err) {
    assert.fail(`loans.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['readList', 'loanToJson', 'loanFromJson']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

function calm(what, work) {
  try {
    return work();
  } catch (err) {
    assert.fail(`${what} stopped with an error: ${err.message}`);
  }
}

function asJson(what, text) {
  assert.equal(typeof text, 'string', `${what} should give back text (use JSON.stringify)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    assert.fail(`${what} gave text that is not JSON: ${text.slice(0, 80)}`);
  }
}

test('readList reads a list from JSON text', () => {
  const { readList } = load();
  const list = calm('readList', () => readList('["Emma", "Beloved", 3, null]'));
  assert.deepEqual(list, ['Emma', 'Beloved', 3, null], 'readList(\'["Emma", "Beloved", 3, null]\') should give that list');
  assert.deepEqual(calm('readList', () => readList('[]')), [], "readList('[]') should give []");
});

test('readList gives [] for text that is not JSON', () => {
  const { readList } = load();
  for (const bad of ['{ oops', "['single quotes']", '', '[1, 2,]']) {
    let got;
    try {
      got = readList(bad);
    } catch (err) {
      assert.fail(`readList(${JSON.stringify(bad)}) stopped with an error. Catch it with try { ... } catch (error) { return []; }`);
    }
    assert.deepEqual(got, [], `readList(${JSON.stringify(bad)}) should give [] because that text is not JSON`);
  }
});

test('loanToJson writes the due date as YYYY-MM-DD', () => {
  const { loanToJson } = load();
  const loan = { title: 'Emma', member: 'Sam', due: new Date('2026-12-24T00:00:00Z'), note: 'Gift wrap' };
  const data = asJson('loanToJson', calm('loanToJson', () => loanToJson(loan)));
  assert.equal(data.due, '2026-12-24', 'The due date in the JSON should be "2026-12-24" (toISOString().slice(0, 10))');
  assert.deepEqual(data, { title: 'Emma', member: 'Sam', due: '2026-12-24', note: 'Gift wrap' },
    'loanToJson should keep the title, member and note');
});

test('loanToJson keeps the note as null when there is none', () => {
  const { loanToJson } = load();
  const loan = { title: 'Beloved', member: 'Ana', due: new Date('2027-01-05T00:00:00Z') };
  const data = asJson('loanToJson', calm('loanToJson', () => loanToJson(loan)));
  assert.ok('note' in data, 'The JSON has no "note": undefined disappears in JSON. Write note: loan.note ?? null');
  assert.deepEqual(data, { title: 'Beloved', member: 'Ana', due: '2027-01-05', note: null },
    'With no note, the JSON should say "note": null');
});

test('loanFromJson gives due back as a real Date', () => {
  const { loanFromJson } = load();
  const text = '{"title":"Emma","member":"Sam","due":"2026-12-24","note":null}';
  const loan = calm('loanFromJson', () => loanFromJson(text));
  assert.ok(loan && loan.due instanceof Date, 'loan.due should be a Date: JSON only has text, so write loan.due = new Date(loan.due)');
  assert.equal(loan.due.toISOString().slice(0, 10), '2026-12-24', 'The Date should be 24 December 2026');
  assert.equal(loan.title, 'Emma', 'The title should still be there');
  assert.equal(loan.member, 'Sam', 'The member should still be there');
});
