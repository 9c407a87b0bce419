const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// The learner's code with comments taken out, so a word in a comment does not count.
function code() {
  const source = fs.readFileSync(path.join(__dirname, 'basket.js'), 'utf8');
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
}

function runBasket() {
  const result = spawnSync(process.execPath, ['basket.js'], {
    cwd: __dirname,
    encoding: 'utf8',
    timeout: 5000,
  });
  if (result.status !== 0) {
    const firstError = (result.stderr || '').split('\n').slice(0, 6).join('\n');
    assert.fail('basket.js stopped with an error. Press Run to see it.\n' + firstError);
  }
  return result.stdout.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
}

test('items is changed after it is made', () => {
  const changes = code().match(/(^|[^\w.])items\s*(\+=|=(?!=))/gm) || [];
  // The first match is the "let items = 0" line itself.
  assert.ok(changes.length >= 2, 'Add to items on a later line, like: items = items + 2;');
});

test("the program prints 'Corner Shop' and then 3", () => {
  const lines = runBasket();
  assert.deepEqual(lines, ['Corner Shop', '3'], 'basket.js should print Corner Shop, then 3');
});
