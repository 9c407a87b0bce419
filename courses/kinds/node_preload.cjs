// Slate check preload, bound read-only at /slate/preload.cjs and loaded with --require into the
// test runner and into every test file's process, before any learner code:
// 1. Freeze the assertion and test modules, so reassigning assert.strictEqual (or test) can't
//    turn failures into passes.
// 2. In the runner (the first process, started before any test file), take the per-run nonce
//    the host wrote to /work/.slate-nonce and delete the file, so only the runner knows it:
//    /slate/reporter.cjs signs every reporter line with it, and lines without it — say, written
//    by learner code into the runner's stdout through /proc — are ignored by the host.
'use strict';
const NONCE_FILE = '/work/.slate-nonce';
const fs = require('fs');
try {
  const nonce = fs.readFileSync(NONCE_FILE, 'utf8').trim();
  fs.unlinkSync(NONCE_FILE);
  if (nonce) {
    Object.defineProperty(globalThis, Symbol.for('slate.check.nonce'), { value: nonce });
  }
} catch (err) {
  // Test file processes start after the runner deleted the file: nothing to take.
}
for (const name of ['assert', 'assert/strict', 'node:test']) {
  try {
    const mod = require(name);
    Object.freeze(mod);
    if (mod && mod.strict) Object.freeze(mod.strict);
  } catch (err) {
    // node:test is missing on very old nodes; nothing to protect then.
  }
}
