// Slate's test reporter, bound read-only at /slate/reporter.cjs and run inside the node test
// runner: node's own TAP, with every line prefixed by the per-run nonce (see preload.cjs).
// Without a nonce it reports nothing, so every test "never ran" and the check fails safe.
'use strict';
const { tap } = require('node:test/reporters');
const nonce = globalThis[Symbol.for('slate.check.nonce')];

module.exports = async function* slateReporter(source) {
  if (!nonce) {
    for await (const _event of source) {
      // drain the events: the runner waits for its reporters
    }
    return;
  }
  let rest = '';
  for await (const chunk of tap(source)) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) yield `${nonce} ${line}\n`;
  }
  if (rest) yield `${nonce} ${rest}\n`;
};
