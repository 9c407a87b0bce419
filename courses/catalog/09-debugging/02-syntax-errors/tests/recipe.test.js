// Syntax errors: the file must be readable JavaScript again, and still do its job.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

let ran;
function run() {
  for (let tries = 0; tries < 2 && (ran === undefined || (ran.status !== 0 && !ran.stderr)); tries++) {
    ran = spawnSync(process.execPath, ['recipe.js'], { cwd: __dirname, encoding: 'utf8', timeout: 10000 });
  }
  return ran;
}

// The place and the words of node's message, without its inner workings.
function described(stderr) {
  const where = stderr.match(/recipe\.js:(\d+)/);
  const what = stderr.split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
  return (where ? ` on line ${where[1]}` : '') + (what ? `: ${what.trim()}` : '');
}

function load() {
  let mod;
  try {
    mod = require('./recipe.js');
  } catch (err) {
    assert.fail(`recipe.js could not run: ${err.message}. Press Run (F5) to see where.`);
  }
  if (typeof mod.scale !== 'function' || typeof mod.shoppingLine !== 'function') {
    const text = fs.readFileSync(path.join(__dirname, 'recipe.js'), 'utf8');
    const last = text.trimEnd().split('\n').pop().trim();
    if (last === '}') {
      assert.fail('The functions cannot be found: the } at the very end of the file puts ' +
        'everything after scale inside it. Move that } up to where scale ends, just ' +
        'after its return { ... }; (the blank lines before function shoppingLine).');
    }
    assert.fail('There is no function called scale or shoppingLine. Keep the functions ' +
      'and the module.exports line.');
  }
  return mod;
}

test('JavaScript can read recipe.js (no syntax errors)', () => {
  const result = run();
  const stderr = result.stderr || '';
  if (/SyntaxError/.test(stderr)) {
    assert.fail(`recipe.js still has a syntax error${described(stderr)}. Fix it, then ` +
      'press Run (F5) to see if there is another. Look just before the place marked ^ ' +
      'too.');
  }
  if (result.status !== 0) {
    assert.fail(`recipe.js stops with an error${described(stderr)}. Press Run (F5).`);
  }
});

test('scale(4) is 200 g flour, 400 ml milk and 2 eggs', () => {
  const { scale } = load();
  assert.deepEqual(scale(4), { flour: 200, milk: 400, eggs: 2 },
    `scale(4) gave ${JSON.stringify(scale(4))}; it should give ` +
    '{"flour":200,"milk":400,"eggs":2}. Only add the missing brackets, quotes and ' +
    'commas: the numbers were right.');
  assert.equal(scale(3).eggs, 2, `scale(3) should round 1.5 eggs up to 2, but gave ` +
    `${JSON.stringify(scale(3).eggs)}.`);
});

test('shoppingLine(4) says what to buy for 4 people', () => {
  const { shoppingLine } = load();
  const got = shoppingLine(4);
  assert.equal(got, 'For 4: 200 g flour, 400 ml milk, 2 eggs',
    `shoppingLine(4) gave ${JSON.stringify(got)}; it should give ` +
    '"For 4: 200 g flour, 400 ml milk, 2 eggs". Check each piece of text has a quote ' +
    'at both ends, and the spaces inside the quotes.');
});
