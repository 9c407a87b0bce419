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

// Run the learner's program once and collect the lines it prints.
let printed;
function runBasket() {
  // A run that ended with no word of its own (killed on a busy machine) is tried once more.
  for (let tries = 0; tries < 2 && (printed === undefined || (printed.status !== 0 && !printed.stderr)); tries++) {
    printed = spawnSync(process.execPath, ['basket.js'], {
      cwd: __dirname,
      encoding: 'utf8',
      timeout: 10000,
    });
  }
  const result = printed;
  if (result.error && result.error.code === 'ETIMEDOUT') {
    assert.fail('basket.js took too long to finish. Press Run to see what it does.');
  }
  if (result.status !== 0) {
    const stderr = result.stderr || '';
    const where = stderr.match(/basket\.js:(\d+)/);
    const what = stderr.split('\n').find((line) => /^[A-Za-z]*Error\b/.test(line));
    const line = where ? ` on line ${where[1]}` : '';
    let words = what ? ` (${what.trim()})` : '';
    if (what && what.includes('Assignment to constant variable')) {
      words = ': a const can never change. Make it with let if it changes later';
    }
    assert.fail(`basket.js stopped with an error${line}${words}. Press Run to see it.`);
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
