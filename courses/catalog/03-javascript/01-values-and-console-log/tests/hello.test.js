const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// Run the learner's program once and collect the lines it prints.
let printed;
function runHello() {
  // A run that ended with no word of its own (killed on a busy machine) is tried once more.
  for (let tries = 0; tries < 2 && (printed === undefined || (printed.status !== 0 && !printed.stderr)); tries++) {
    printed = spawnSync(process.execPath, ['hello.js'], {
      cwd: __dirname,
      encoding: 'utf8',
      timeout: 10000,
    });
  }
  const result = printed;
  if (result.error && result.error.code === 'ETIMEDOUT') {
    assert.fail('hello.js took too long to finish. Press Run to see what it does.');
  }
  if (result.status !== 0) {
    const stderr = result.stderr || '';
    const where = stderr.match(/hello\.js:(\d+)/);
    const what = stderr.split('\n').find((line) => /^[A-Za-z]*Error\b/.test(line));
    const line = where ? ` on line ${where[1]}` : '';
    const words = what ? ` (${what.trim()})` : '';
    assert.fail(`hello.js stopped with an error${line}${words}. Press Run to see it.`);
  }
  return result.stdout.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
}

test('the program prints three lines', () => {
  const lines = runHello();
  assert.equal(lines.length, 3, `hello.js should print 3 lines, but it printed ${lines.length}`);
});

test("the first line is 'Hello, Slate!'", () => {
  const lines = runHello();
  assert.equal(lines[0], 'Hello, Slate!', 'The first console.log should print Hello, Slate!');
});

test('the second line is the answer to 6 * 7', () => {
  const lines = runHello();
  assert.equal(lines[1], '42', 'The second console.log should print the answer to 6 * 7');
});

test('the computer works out 6 * 7 for you', () => {
  const source = fs.readFileSync(path.join(__dirname, 'hello.js'), 'utf8');
  assert.match(source, /6\s*\*\s*7/, 'Write 6 * 7 inside console.log( ), not the answer');
});

test("the third line is 'I am learning JavaScript'", () => {
  const lines = runHello();
  assert.equal(
    lines[2],
    'I am learning JavaScript',
    'The third console.log should print I am learning JavaScript',
  );
});
