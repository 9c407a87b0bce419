// Slate check agent: the *serving side* of a check (see rpc.cjs). Started as
//   node /slate/harness/serve.cjs
// with SLATE_RPC_IN / SLATE_RPC_OUT (pipe fds) and SLATE_RPC_MODE:
// - "learner": a node-test check's subject sandbox (the learner's uid, the learner's files at
//   /work, no course file at all). It loads the learner's modules when the course's tests
//   require them, and on their behalf runs a learner program, talks HTTP to the learner's
//   server on this sandbox's loopback, and reads the learner's SQLite files.
// - "trusted": a tdd check's reference sandbox (an unprivileged uid that is not the learner's,
//   the reference or one mutant at /work/<subject>). It serves only that module, and never
//   lets its source out: Function.prototype.toString is replaced before it loads, and the
//   channel hands out no builtin (so no Function constructor to evaluate code with).
// It exits when the other side closes the channel.
'use strict';

const path = require('path');
const Module = require('module');
const { Channel, Later, RemoteError } = require('./rpc.cjs');

const mode = process.env.SLATE_RPC_MODE === 'trusted' ? 'trusted' : 'learner';
const inFd = Number(process.env.SLATE_RPC_IN);
const outFd = Number(process.env.SLATE_RPC_OUT);
const allowed = (process.env.SLATE_RPC_SERVE || '')
  .split('\n')
  .filter(Boolean)
  .map((p) => path.resolve('/work', p));
delete process.env.SLATE_RPC_IN;
delete process.env.SLATE_RPC_OUT;
delete process.env.SLATE_RPC_SERVE;
delete process.env.SLATE_RPC_MODE;

if (mode === 'trusted') {
  const hidden = function toString() {
    return 'function () { [code hidden during checks] }';
  };
  Object.defineProperty(Function.prototype, 'toString', { value: hidden, writable: false, configurable: false });
  Error.stackTraceLimit = 0;
}

const channel = new Channel(inFd, outFd, {
  trusted: mode === 'trusted',
  keepAlive: true,
  onGone: () => process.exit(0),
});

const loaded = new Set();

channel.ops.require = function (msg) {
  const file = path.resolve('/work', String(msg.path));
  if (!file.startsWith('/work/')) throw new RemoteError('only files of the exercise can be loaded');
  if (mode === 'trusted' && !allowed.includes(file)) throw new RemoteError(`${path.basename(file)} is not available`);
  if (msg.fresh && loaded.has(file)) delete Module._cache[file];
  loaded.add(file);
  try {
    return require(file);
  } catch (err) {
    // The learner's own error, on the learner's own output (where the check's message finds
    // the file and line); the course's tests get only its name and message.
    if (mode === 'learner') process.stderr.write(`${(err && err.stack) || err}\n`);
    throw err;
  }
};

if (mode === 'learner') {
  // Loaded when first used: most checks need none of them, and each costs start-up time.
  const lazy = (name) => {
    let mod = null;
    return () => (mod = mod || require(name));
  };
  const childProcess = lazy('child_process');
  const httpModule = lazy('http');
  const fs = require('fs');
  const os = lazy('os');

  // Run a learner program (the course's test asked for `node <file>`): its exit status and
  // what it printed.
  channel.ops.run = function (msg) {
    const decoded = channel.decode(msg.args);
    const args = Array.isArray(decoded) ? decoded.map(String) : [];
    if (!args.length) throw new RemoteError('which program to run?');
    const result = childProcess().spawnSync(process.execPath, args, {
      cwd: '/work',
      input: typeof msg.input === 'string' ? msg.input : undefined,
      encoding: 'utf8',
      timeout: Math.min(Number(msg.timeout) || 5000, 20000),
      maxBuffer: 1 << 20,
      env: { PATH: process.env.PATH, HOME: '/tmp', LANG: 'C.UTF-8' },
    });
    return {
      status: result.status,
      signal: result.signal,
      stdout: result.stdout || '',
      stderr: result.stderr || '',
      error: result.error ? String(result.error.message) : null,
    };
  };

  // Start an http.Server the learner's code made on a free loopback port; answer the port.
  channel.ops.listen = function (msg) {
    const server = channel._target(msg);
    if (!(server instanceof httpModule().Server)) throw new RemoteError('not a server');
    return new Later(
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server.address().port));
      }),
    );
  };

  channel.ops.close = function (msg) {
    const server = channel._target(msg);
    if (!(server instanceof httpModule().Server)) throw new RemoteError('not a server');
    if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
    return new Later(new Promise((resolve) => server.close(() => resolve(true))));
  };

  channel.ops.isServer = function (msg) {
    return channel._target(msg) instanceof httpModule().Server;
  };

  // One HTTP request to the learner's server on this sandbox's loopback.
  channel.ops.http = function (msg) {
    const port = Number(msg.port);
    const method = String(msg.method || 'GET');
    const target = String(msg.path || '/');
    const headers = msg.headers && typeof msg.headers === 'object' ? msg.headers : {};
    const body = typeof msg.body === 'string' ? msg.body : '';
    const wait = Math.min(Number(msg.timeout) || 2000, 10000);
    return new Later(
      new Promise((resolve, reject) => {
        const req = httpModule().request(
          { host: '127.0.0.1', port, method, path: target, agent: false, headers: { Connection: 'close', ...headers } },
          (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
              if (data.length < (4 << 20)) data += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode, headers: { ...res.headers }, body: data }));
            res.on('error', reject);
          },
        );
        req.setTimeout(wait, () => {
          req.destroy(new Error('timeout'));
          resolve({ timeout: true });
        });
        req.on('error', (err) => reject(new Error(err.message)));
        req.end(body);
      }),
    );
  };

  channel.ops.tempDir = function (msg) {
    const prefix = String(msg.prefix || 'slate-').replace(/[^A-Za-z0-9_-]/g, '');
    return fs.mkdtempSync(path.join(os().tmpdir(), prefix));
  };

  channel.ops.removeDir = function (msg) {
    const dir = path.resolve(String(msg.path));
    if (!dir.startsWith(os().tmpdir() + '/')) throw new RemoteError('not a temporary folder');
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  };

  channel.ops.sqlite = function (msg) {
    const output = childProcess().execFileSync('sqlite3', ['-json', String(msg.db), String(msg.sql)], {
      encoding: 'utf8',
      timeout: 5000,
      maxBuffer: 4 << 20,
    });
    return output.trim() === '' ? [] : JSON.parse(output);
  };

  // The browser course's web pages (dom-serve.cjs: the dom* operations; happy-dom loads on first use).
  require('./dom-serve.cjs').install(channel);

  // A canned JSON service on this sandbox's loopback for fetch exercises (see fixture.cjs).
  channel.ops.fixture = (msg) => require('./fixture.cjs').op(msg, { Later, RemoteError });
}
