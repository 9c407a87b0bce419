// Slate check preload for the *proxy side* of a check (see rpc.cjs), loaded with --require
// before the test files:
//   SLATE_RPC_ROLE=harness  a node-test check's course tests (trusted, an unprivileged uid that
//                           is not the learner's). Every file under /work that is not one of
//                           the course's own (SLATE_RPC_LOCAL) is the learner's: requiring it
//                           gives a proxy of the module loaded in the learner's sandbox; no
//                           learner code runs here. Running `node <file>` (spawnSync) runs it
//                           there too. console output goes to stderr, so stdout carries only
//                           the test reporter.
//   SLATE_RPC_ROLE=tests    a tdd check's learner tests (untrusted): requiring one of
//                           SLATE_RPC_REMOTE gives a proxy of the course's reference or mutant,
//                           loaded in another sandbox.
'use strict';

// node also runs --require preloads in its module-hooks thread: only the main thread talks.
if (require('worker_threads').isMainThread) module.exports = setUp();

function setUp() {
  const path = require('path');
  const Module = require('module');
  const { Channel } = require('./rpc.cjs');

  const role = process.env.SLATE_RPC_ROLE === 'harness' ? 'harness' : 'tests';
  const inFd = Number(process.env.SLATE_RPC_IN);
  const outFd = Number(process.env.SLATE_RPC_OUT);
  const list = (name) =>
    (process.env[name] || '')
      .split('\n')
      .filter(Boolean)
      .map((p) => path.resolve('/work', p));
  const local = new Set(list('SLATE_RPC_LOCAL'));
  const remote = new Set(list('SLATE_RPC_REMOTE'));
  const callTimeout = Number(process.env.SLATE_RPC_TIMEOUT) || 4000;
  const esmGuard = process.env.SLATE_RPC_ESM_GUARD === '1';
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('SLATE_RPC_')) delete process.env[key];
  }

  const remoteLabel = role === 'tests' && remote.size ? `${[...remote][0]}:1:1` : '<the learner\'s code>';
  const channel = new Channel(inFd, outFd, { callTimeout, remoteLabel });
  const loadedBefore = new Set();

  function isRemote(filename) {
    if (role === 'harness') return filename.startsWith('/work/') && !local.has(filename);
    return remote.has(filename);
  }

  function remoteModule(filename) {
    const fresh = loadedBefore.has(filename);
    loadedBefore.add(filename);
    return channel.call('require', { path: path.relative('/work', filename), fresh });
  }

  const jsLoader = Module._extensions['.js'];
  Module._extensions['.js'] = function slateJs(module, filename) {
    if (isRemote(filename)) {
      module.exports = remoteModule(filename);
      return;
    }
    return jsLoader.call(this, module, filename);
  };
  const nativeLoader = Module._extensions['.node'];
  Module._extensions['.node'] = function slateNode(module, filename) {
    if (isRemote(filename)) throw new Error(`${path.basename(filename)} cannot be loaded in a check`);
    return nativeLoader.call(this, module, filename);
  };

  if (role === 'harness') {
    // ES-module imports of learner files are refused (no proxy exists for them). Only when
    // the course's files can import at all (the host saw `import` or an .mjs file in them):
    // the hooks thread costs ~50 ms of every check.
    if (esmGuard && typeof Module.register === 'function') {
      const { pathToFileURL } = require('url');
      Module.register('./esm_guard.mjs', pathToFileURL(__filename), { data: { local: [...local] } });
    }
    // Only the test reporter writes to stdout.
    const { Console } = require('console');
    globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

    const childProcess = require('child_process');
    const isNode = (cmd) => cmd === process.execPath || cmd === 'node' || cmd === 'nodejs';
    const spawnSync = childProcess.spawnSync;
    childProcess.spawnSync = function slateSpawnSync(command, args, options) {
      if (!isNode(command)) return spawnSync.apply(this, arguments);
      if (!Array.isArray(args)) {
        options = args;
        args = [];
      }
      options = options || {};
      const input = typeof options.input === 'string' ? options.input : undefined;
      const res = channel.call('run', { args: channel.encode(args), input, timeout: options.timeout || 5000 });
      const asText = options.encoding && options.encoding !== 'buffer';
      const out = asText ? res.stdout : Buffer.from(res.stdout);
      const err = asText ? res.stderr : Buffer.from(res.stderr);
      return { pid: 0, status: res.status, signal: res.signal, stdout: out, stderr: err, output: [null, out, err] };
    };
    const refuse = (name) => {
      const original = childProcess[name];
      childProcess[name] = function slateRefuse(command) {
        if (isNode(command)) throw new Error(`child_process.${name}('node', ...) is not available in a check: use spawnSync`);
        return original.apply(this, arguments);
      };
    };
    for (const name of ['spawn', 'execFile', 'execFileSync', 'fork']) refuse(name);
  }

  // Tell the host how the channel ended (stdout is the reporter's and ours alone).
  process.on('exit', () => {
    const state = channel.broken ? 'timeout' : channel.gone ? 'gone' : '';
    if (role === 'harness' && state) {
      try {
        require('fs').writeSync(1, `\n# slate-channel: ${state}\n`);
      } catch (err) {
        // stdout closed: the host reads nothing, and every test counts as never run
      }
    }
  });

  return { channel, role };
}
