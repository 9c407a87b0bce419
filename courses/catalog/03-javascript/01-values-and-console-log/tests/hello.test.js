const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// Run the learner's program and collect the lines it prints.
function runHello() {
  const result = spawnSync(process.execPath, ['hello.js'], {
    cwd: __dirname,
    encoding: 'utf8',
    timeout: 5000,
  });
  if (result.status !== 0) {
    const firstError = (result.stderr || '').split('\n').slice(0, 6).join('\n');
    assert.fail('hello.js stopped with an error. Press Run to see it.\n' + firstError);
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
