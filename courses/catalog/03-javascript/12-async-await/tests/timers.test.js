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

function isPromise(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

test('wait(20) returns a promise', () => {
  const { wait } = load();
  const result = wait(20);
  assert.ok(isPromise(result), 'wait(20) should return a new Promise( ... )');
  return result;
});

test('wait(40) finishes after about 40 ms', { timeout: 3000 }, async () => {
  const { wait } = load();
  const started = Date.now();
  const result = wait(40);
  assert.ok(isPromise(result), 'wait(40) should return a new Promise( ... )');
  await result;
  const took = Date.now() - started;
  assert.ok(took >= 40 - SLACK_MS, `wait(40) finished after ${took} ms; it should wait 40 ms`);
});

test("delayedGreeting('Sam', 30) gives 'Hello, Sam!' after waiting", { timeout: 3000 }, async () => {
  const { delayedGreeting } = load();
  const started = Date.now();
  const greeting = await delayedGreeting('Sam', 30);
  const took = Date.now() - started;
  assert.equal(greeting, 'Hello, Sam!', "delayedGreeting('Sam', 30) should give 'Hello, Sam!'");
  assert.ok(took >= 30 - SLACK_MS, `delayedGreeting waited ${took} ms; it should await wait(30) first`);
});

test('countSlowly(3, 10) gives [1, 2, 3] after about 30 ms', { timeout: 3000 }, async () => {
  const { countSlowly } = load();
  const started = Date.now();
  const numbers = await countSlowly(3, 10);
  const took = Date.now() - started;
  assert.deepEqual(numbers, [1, 2, 3], 'countSlowly(3, 10) should give [1, 2, 3]');
  assert.ok(took >= 30 - SLACK_MS, `countSlowly(3, 10) took ${took} ms; it should wait 10 ms per number`);
});

test('countSlowly(0, 10) gives an empty array', { timeout: 3000 }, async () => {
  const { countSlowly } = load();
  assert.deepEqual(await countSlowly(0, 10), [], 'countSlowly(0, 10) should give []');
});
