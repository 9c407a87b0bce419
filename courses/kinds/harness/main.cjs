// Entry of a node-test check's harness: load each course test file named on the command line
// (paths relative to /work), after proxy.cjs was preloaded. node's test runner then runs the
// tests in this one process and its reporter writes TAP to stdout.
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
(async () => {
  for (const rel of process.argv.slice(2)) {
    const file = path.resolve('/work', rel);
    if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
    else require(file);
  }
})();
