const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

function load(file, names) {
  let mod;
  try {
    mod = require(`./${file}`);
  } catch (err) {
    assert.fail(`${file} could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of names) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`${file} does not export ${name}. Add it to module.exports = { ... } in ${file}.`);
    }
  }
  return mod;
}

function code(file) {
  const source = fs.readFileSync(path.join(__dirname, file), 'utf8');
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
}

test('prices.js exports formatPrice and addVat', () => {
  const { formatPrice, addVat } = load('prices.js', ['formatPrice', 'addVat']);
  assert.equal(formatPrice(250), '2.50', "formatPrice(250) should still return '2.50'");
  assert.equal(addVat(100), 120, 'addVat(100) should still return 120');
});

test('receipt.js requires ./prices.js', () => {
  assert.match(
    code('receipt.js'),
    /require\s*\(\s*["'`]\.\/prices(\.js)?["'`]\s*\)/,
    'receipt.js should load the other file with require("./prices.js")',
  );
});

test('receipt.js exports receiptLine', () => {
  load('receipt.js', ['receiptLine']);
});

test("receiptLine('Tea', 250) returns 'Tea: 3.00'", () => {
  const { receiptLine } = load('receipt.js', ['receiptLine']);
  assert.equal(receiptLine('Tea', 250), 'Tea: 3.00', "receiptLine('Tea', 250) should return 'Tea: 3.00'");
  assert.equal(receiptLine('Toast', 150), 'Toast: 1.80', "receiptLine('Toast', 150) should return 'Toast: 1.80'");
});
