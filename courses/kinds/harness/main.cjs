// Entry of a node-test check's harness: load each course test file named on the command line
// (paths relative to /work), after proxy.cjs was preloaded. node's test runner then runs the
// tests in this one process and its reporter writes TAP to stdout.
'use strict';
const path = require('path');
for (const rel of process.argv.slice(2)) require(path.resolve('/work', rel));
