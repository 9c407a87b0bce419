// Slate check preload (bound read-only at /slate/preload.cjs; loaded with --require into the
// test runner and every test file's process): freeze the assertion and test modules before any
// learner code runs, so reassigning assert.strictEqual (or test) can't turn failures into passes.
'use strict';
for (const name of ['assert', 'assert/strict', 'node:test']) {
  try {
    const mod = require(name);
    Object.freeze(mod);
    if (mod && mod.strict) Object.freeze(mod.strict);
  } catch (err) {
    // node:test is missing on very old nodes; nothing to protect then.
  }
}
