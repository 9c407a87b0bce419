const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./timers.js');
  } catch (err) {
    assert.fail(`timers.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['wait', 'delayedGreeting', 'countSlowly']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

// Timers may fire a millisecond or two early on a busy machine.
const SLACK_MS = 5;

// Wait for a promise, but fail with a plain sentence if it never settles.
function settles(promise, what) {
  let timer;
  const never = new Promise((resolve, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({
        message: `${what} never finished. Does the promise call resolve?`,
      })),
      3000,
    );
  });
  return Promise.race([promise, never]).finally(() => clearTimeout(timer));
}

function isPromise(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

test('wait(20) returns a promise', () => {
  const { wait } = load();
  const result = wait(20);
  assert.ok(isPromise(result), 'wait(20) should return a new Promise( ... )');
});

test('wait(300) finishes after about 300 ms', { timeout: 5000 }, async () => {
  const { wait } = load();
  const started = Date.now();
  const result = wait(300);
  assert.ok(isPromise(result), 'wait(300) should return a new Promise( ... )');
  await settles(result, 'wait(300)');
  const took = Date.now() - started;
  assert.ok(took >= 300 - SLACK_MS, `wait(300) finished after ${took} ms; it should wait 300 ms`);
});

test("delayedGreeting('Sam', 300) gives 'Hello, Sam!' after waiting", { timeout: 5000 }, async () => {
  const { delayedGreeting } = load();
  const started = Date.now();
  const greeting = await settles(delayedGreeting('Sam', 300), "delayedGreeting('Sam', 300)");
  const took = Date.now() - started;
  assert.equal(greeting, 'Hello, Sam!', "delayedGreeting('Sam', 300) should give 'Hello, Sam!'");
  assert.ok(took >= 300 - SLACK_MS, `delayedGreeting waited ${took} ms; it should await wait(300) first`);
});

test('countSlowly(3, 100) gives [1, 2, 3] after about 300 ms', { timeout: 5000 }, async () => {
  const { countSlowly } = load();
  const started = Date.now();
  const numbers = await settles(countSlowly(3, 100), 'countSlowly(3, 100)');
  const took = Date.now() - started;
  assert.deepEqual(numbers, [1, 2, 3], 'countSlowly(3, 100) should give [1, 2, 3]');
  assert.ok(took >= 300 - SLACK_MS, `countSlowly(3, 100) took ${took} ms; it should wait 100 ms per number`);
});

test('countSlowly(0, 10) gives an empty array', { timeout: 3000 }, async () => {
  const { countSlowly } = load();
  assert.deepEqual(await countSlowly(0, 10), [], 'countSlowly(0, 10) should give []');
});
