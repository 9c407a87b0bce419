// Slate check RPC: one side of a call channel between two sandboxes, over a pair of pipes.
//
// A check splits into two processes that never share memory, a writable file or a pid
// namespace: the *proxy side* holds test code and sees the other side's values only as
// proxies; the *serving side* holds the module under test and answers calls on it. In a
// node-test check the course's tests are the proxy side (trusted) and the learner's code is
// served (untrusted); in a tdd check the learner's tests are the proxy side (untrusted) and the
// course's reference or mutant is served (trusted). Either way the verdict is computed where
// the untrusted code is not, and only data crosses:
//
// - frames: 4-byte big-endian length + UTF-8 JSON, at most MAX_FRAME bytes;
// - values: JSON plus undefined, NaN, +-Infinity, -0, BigInt, Date, Map, Set, RegExp and
//   Error{name, message} (never a stack); functions, promises and objects with methods cross as
//   numbered *handles*: the receiver gets a proxy whose calls go back over the channel;
// - nothing is ever evaluated: a request names an operation and handle numbers, never code.
//   Builtins (Function, Object.prototype, ...) are never handed out, so `fn.constructor` or
//   `fn.toString` on a proxy give the local, harmless builtin, never the other side's.
//
// Each end reads its pipe (non-blocking) from the event loop when idle, and directly with
// readSync while a synchronous call waits for its reply, serving the other side's calls back
// into this one meanwhile; so the learner's code may call a test's callback mid-call.
'use strict';

const fs = require('fs');
const net = require('net');

const MAX_FRAME = 8 << 20;
const MAX_NODES = 200000; // values per message
const MAX_DEPTH = 64;

// Builtin prototypes: what they hold is answered locally, never handed across.
const BUILTIN_PROTOS = new Set(
  [
    Object.prototype,
    Function.prototype,
    Array.prototype,
    String.prototype,
    Number.prototype,
    Boolean.prototype,
    Symbol.prototype,
    BigInt.prototype,
    Promise.prototype,
    Error.prototype,
    Date.prototype,
    RegExp.prototype,
    Map.prototype,
    Set.prototype,
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(async function* () {}),
  ].filter(Boolean),
);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype', 'caller', 'arguments']);

class RemoteError extends Error {}

// What a call returns with the arguments it was given: arrays and plain objects cross as
// copies, so their final state goes back with the answer and is written into the caller's own
// (a function that fills the list it was given, or returns it, behaves as in one process).
class WithArgs {
  constructor(value, args) {
    this.value = value;
    this.args = args;
  }
}

// What an operation returns when its answer comes later (a promise on the serving side).
class Later {
  constructor(promise) {
    this.promise = promise;
  }
}

function isBuiltinFunction(fn) {
  // Builtins print as native code; so do bound functions, which are refused too (safe side).
  try {
    return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));
  } catch (err) {
    return true;
  }
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

class Channel {
  // options: trusted (this side serves course code: hide sources and engine messages),
  // keepAlive (an idle serving side stays up), callTimeout (ms a synchronous call may wait),
  // onGone (called once when the other side goes away).
  constructor(inFd, outFd, options = {}) {
    this.outFd = outFd;
    this.trusted = !!options.trusted;
    this.callTimeout = options.callTimeout || 4000;
    this.remoteLabel = options.remoteLabel || '<the other sandbox>';
    this.nextId = 1;
    this.exports = new Map(); // id -> local value handed out
    this.exportIds = new Map(); // local value -> id
    this.imports = new Map(); // remote id -> proxy
    this.proxyIds = new WeakMap(); // proxy -> remote id
    this.pending = new Map(); // call id -> {resolve, reject} for async calls
    this.replies = new Map(); // call id -> reply that arrived while another was awaited
    this.ops = Object.create(null);
    this.gone = null;
    this.broken = null; // set when a synchronous call timed out: later ones fail at once
    this.depth = 0;
    this.asyncCount = 0;
    this.keepAlive = !!options.keepAlive;
    this.inFd = inFd;
    this.inbuf = Buffer.alloc(0);
    this.queue = []; // frames read but not yet handled
    this.chunk = Buffer.alloc(65536);
    this.sock = new net.Socket({ fd: inFd, readable: true, writable: false });
    this.sock.on('data', (data) => {
      this._feed(data);
      this._drain();
    });
    this.sock.on('end', () => this._gone('closed'));
    this.sock.on('error', (err) => this._gone(err.code || 'read failed'));
    if (!this.keepAlive) this.sock.unref();
    this.onGone = options.onGone || null;
    this._installBuiltinOps();
  }

  // ---- sending ---------------------------------------------------------------------------

  _send(obj) {
    if (this.gone) throw new RemoteError(this._goneMessage());
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    if (body.length > MAX_FRAME) throw new RemoteError('A value was too large to pass to the check.');
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    body.copy(frame, 4);
    let off = 0;
    const deadline = Date.now() + this.callTimeout;
    while (off < frame.length) {
      try {
        off += fs.writeSync(this.outFd, frame, off, frame.length - off);
      } catch (err) {
        if (err.code !== 'EAGAIN') {
          this._gone(err.code || 'write failed');
          throw new RemoteError(this._goneMessage());
        }
        if (Date.now() > deadline) {
          this.broken = 'The other side stopped reading.';
          throw new RemoteError(this.broken);
        }
        sleepMs(0.2);
      }
    }
  }

  _goneMessage() {
    return 'The code being checked stopped before it answered.';
  }

  _gone(reason) {
    if (this.gone) return;
    this.gone = reason || 'closed';
    for (const { reject } of this.pending.values()) reject(new RemoteError(this._goneMessage()));
    this.pending.clear();
    this.asyncCount = 0;
    this._unrefIfIdle();
    if (this.onGone) {
      try {
        this.onGone(this.gone);
      } catch (err) {
        // nothing to do
      }
    }
  }

  // ---- receiving -------------------------------------------------------------------------

  _feed(data) {
    if (this.gone) return;
    this.inbuf = this.inbuf.length ? Buffer.concat([this.inbuf, data]) : Buffer.from(data);
    while (this.inbuf.length >= 4) {
      const len = this.inbuf.readUInt32BE(0);
      if (len > MAX_FRAME) {
        this.inbuf = Buffer.alloc(0);
        this._gone('a message was too large');
        return;
      }
      if (this.inbuf.length < 4 + len) break;
      this.queue.push(this.inbuf.toString('utf8', 4, 4 + len));
      this.inbuf = this.inbuf.subarray(4 + len);
    }
  }

  _drain() {
    while (this.queue.length) this._dispatch(this.queue.shift());
  }

  // Read what is in the pipe now; false when nothing was there.
  _readNow() {
    let n;
    try {
      n = fs.readSync(this.inFd, this.chunk, 0, this.chunk.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') return false;
      this._gone(err.code || 'read failed');
      return false;
    }
    if (n === 0) {
      this._gone('closed');
      return false;
    }
    this._feed(this.chunk.subarray(0, n));
    return true;
  }

  _parse(raw) {
    try {
      const msg = JSON.parse(raw);
      return msg && typeof msg === 'object' && !Array.isArray(msg) ? msg : null;
    } catch (err) {
      return null;
    }
  }

  _dispatch(raw) {
    const msg = typeof raw === 'string' ? this._parse(raw) : raw;
    if (!msg) return;
    if (typeof msg.q === 'number') {
      this._serve(msg);
      return;
    }
    if (typeof msg.a === 'number') {
      const waiter = this.pending.get(msg.a);
      if (waiter) {
        this.pending.delete(msg.a);
        this.asyncCount -= 1;
        this._unrefIfIdle();
        try {
          waiter.resolve(this._reply(msg));
        } catch (err) {
          waiter.reject(err);
        }
      } else if (this.replies.size < 10000) {
        this.replies.set(msg.a, msg);
      } else {
        this._gone('too many answers nobody asked for');
      }
    }
  }

  _reply(msg, args) {
    if (args && Array.isArray(msg.b)) {
      msg.b.forEach((state, i) => {
        if (state && i < args.length) this._writeBack(args[i], state);
      });
    }
    if (msg.e && typeof msg.e === 'object') throw this._decodeError(msg.e);
    if (msg.v && typeof msg.v === 'object' && msg.v.$ === 'arg') {
      return args && Number.isInteger(msg.v.i) ? args[msg.v.i] : undefined;
    }
    return this.decode(msg.v);
  }

  _serve(msg) {
    const id = msg.q;
    let reply;
    const op = typeof msg.op === 'string' ? this.ops[msg.op] : undefined;
    if (!op) {
      this._sendQuiet({ a: id, e: { name: 'Error', message: 'unknown operation' } });
      return;
    }
    this.depth += 1;
    try {
      const result = op.call(this, msg);
      if (result instanceof Later) {
        result.promise.then(
          (value) => this._sendQuiet({ a: id, v: this._encodeSafe(value) }),
          (err) => this._sendQuiet({ a: id, e: this.encodeError(err) }),
        );
        return;
      }
      if (result instanceof WithArgs) {
        const i = result.value !== null && typeof result.value === 'object' ? result.args.indexOf(result.value) : -1;
        reply = { a: id, v: i >= 0 ? { $: 'arg', i } : this.encode(result.value), b: result.args.map((x) => this._dataState(x)) };
      } else {
        reply = { a: id, v: this.encode(result) };
      }
    } catch (err) {
      reply = { a: id, e: this.encodeError(err) };
    } finally {
      this.depth -= 1;
    }
    this._sendQuiet(reply);
  }

  _dataState(x) {
    if (x === null || typeof x !== 'object' || this.proxyIds.has(x)) return null;
    try {
      const state = this.encode(x);
      return state && (state.$ === 'a' || state.$ === 'O') ? state : null;
    } catch (err) {
      return null;
    }
  }

  _writeBack(local, state) {
    if (local === null || typeof local !== 'object' || Object.isFrozen(local) || this.proxyIds.has(local)) return;
    let fresh;
    try {
      fresh = this.decode(state);
    } catch (err) {
      return;
    }
    if (Array.isArray(local) && Array.isArray(fresh)) {
      local.length = 0;
      for (const item of fresh) local.push(item);
    } else if (!Array.isArray(local) && fresh && typeof fresh === 'object' && !Array.isArray(fresh)) {
      const proto = Object.getPrototypeOf(local);
      if (proto !== Object.prototype && proto !== null) return;
      for (const key of Object.keys(local)) if (!(key in fresh)) delete local[key];
      for (const key of Object.keys(fresh)) {
        Object.defineProperty(local, key, { value: fresh[key], enumerable: true, writable: true, configurable: true });
      }
    }
  }

  _encodeSafe(value) {
    return this.encode(value);
  }

  _sendQuiet(obj) {
    try {
      this._send(obj);
    } catch (err) {
      try {
        if ('v' in obj) this._send({ a: obj.a, e: this.encodeError(err) });
      } catch (again) {
        // the other side is gone
      }
    }
  }

  // A synchronous call: wait for its reply, serving the other side's calls meanwhile.
  call(op, fields, args) {
    if (this.broken) throw new RemoteError(this.broken);
    const id = this.nextId++;
    this._send({ q: id, op, ...fields });
    const deadline = Date.now() + this.callTimeout;
    let nap = 0.01;
    for (;;) {
      const early = this.replies.get(id);
      if (early) {
        this.replies.delete(id);
        return this._reply(early, args);
      }
      if (this.queue.length) {
        const msg = this._parse(this.queue.shift());
        if (!msg) continue;
        if (msg.a === id) return this._reply(msg, args);
        this._dispatch(msg);
        continue;
      }
      if (this.gone) throw new RemoteError(this._goneMessage());
      if (this._readNow()) {
        nap = 0.01;
        continue;
      }
      if (this.gone) continue;
      if (Date.now() > deadline) {
        this.broken =
          'Your code took too long to answer: is there a loop that never ends, or a promise ' +
          'that never finishes? The rest of the check was not tried.';
        throw new RemoteError(this.broken);
      }
      sleepMs(nap);
      nap = Math.min(nap * 2, 2);
    }
  }

  // An asynchronous call: a promise for the reply (the process stays up while one is open).
  callAsync(op, fields, timeout) {
    if (this.broken) return Promise.reject(new RemoteError(this.broken));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer = null;
      const settle = (fn) => (value) => {
        if (timer) clearTimeout(timer);
        fn(value);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      this.asyncCount += 1;
      this.sock.ref();
      if (timeout) {
        timer = setTimeout(() => {
          if (this.pending.delete(id)) {
            this.asyncCount -= 1;
            this._unrefIfIdle();
            reject(new RemoteError('Your code did not finish in time (a promise that never finishes?).'));
          }
        }, timeout);
      }
      try {
        this._send({ q: id, op, ...fields });
      } catch (err) {
        this.pending.delete(id);
        this.asyncCount -= 1;
        this._unrefIfIdle();
        reject(err);
      }
    });
  }

  _unrefIfIdle() {
    if (!this.keepAlive && this.asyncCount <= 0) this.sock.unref();
  }

  // ---- values ----------------------------------------------------------------------------

  _export(value, kind) {
    let id = this.exportIds.get(value);
    if (id === undefined) {
      id = this.exports.size + 1;
      this.exports.set(id, value);
      this.exportIds.set(value, id);
    }
    const handle = { $: 'h', id, k: kind };
    if (kind === 'f') {
      let name = '';
      let length = 0;
      try {
        const desc = Object.getOwnPropertyDescriptor(value, 'name');
        if (desc && typeof desc.value === 'string') name = desc.value.slice(0, 200);
        const ldesc = Object.getOwnPropertyDescriptor(value, 'length');
        if (ldesc && typeof ldesc.value === 'number') length = ldesc.value;
      } catch (err) {
        // a hostile function: no name
      }
      handle.n = name;
      handle.l = length;
    }
    return handle;
  }

  encode(value) {
    const budget = { nodes: 0 };
    const seen = new Set();
    return this._enc(value, 0, budget, seen);
  }

  _enc(value, depth, budget, seen) {
    budget.nodes += 1;
    if (budget.nodes > MAX_NODES || depth > MAX_DEPTH) {
      throw new RemoteError('A value was too large or too deeply nested to pass to the check.');
    }
    switch (typeof value) {
      case 'undefined':
        return { $: 'u' };
      case 'boolean':
        return value;
      case 'string':
        return value;
      case 'number':
        if (Number.isNaN(value)) return { $: 'n', v: 'NaN' };
        if (value === Infinity) return { $: 'n', v: 'Infinity' };
        if (value === -Infinity) return { $: 'n', v: '-Infinity' };
        if (Object.is(value, -0)) return { $: 'n', v: '-0' };
        return value;
      case 'bigint':
        return { $: 'b', v: value.toString() };
      case 'symbol':
        return { $: 'y', v: String(value.description || '').slice(0, 200) };
      case 'function': {
        const remote = this.proxyIds.get(value);
        if (remote !== undefined) return { $: 'r', id: remote };
        if (this.trusted && isBuiltinFunction(value)) return { $: 'u' };
        return this._export(value, 'f');
      }
      default:
        break;
    }
    if (value === null) return null;
    const remote = this.proxyIds.get(value);
    if (remote !== undefined) return { $: 'r', id: remote };
    if (seen.has(value)) return this._export(value, 'o');
    if (value instanceof Date) return { $: 'd', v: value.getTime() };
    if (value instanceof RegExp) return { $: 're', s: value.source, f: value.flags };
    if (value instanceof Error) return { $: 'e', ...this.encodeError(value) };
    if (value instanceof Promise) {
      // The other side awaits it later (its 'await' arrives over the pipe): mark it handled
      // now, so a promise that rejects at once is not an unhandled rejection that ends node.
      Promise.prototype.then.call(value, undefined, () => {});
      return this._export(value, 'p');
    }
    if (BUILTIN_PROTOS.has(value)) return { $: 'u' };
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        const out = [];
        for (let i = 0; i < value.length; i++) out.push(this._enc(value[i], depth + 1, budget, seen));
        return Object.isFrozen(value) ? { $: 'a', v: out, f: 1 } : { $: 'a', v: out };
      }
      if (value instanceof Map) {
        const out = [];
        for (const [k, v] of value) {
          out.push([this._enc(k, depth + 1, budget, seen), this._enc(v, depth + 1, budget, seen)]);
        }
        return { $: 'm', v: out };
      }
      if (value instanceof Set) {
        const out = [];
        for (const v of value) out.push(this._enc(v, depth + 1, budget, seen));
        return { $: 's', v: out };
      }
      if (ArrayBuffer.isView(value)) {
        return { $: 'buf', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      }
      const proto = Object.getPrototypeOf(value);
      if (typeof value.then === 'function') return this._export(value, 'p');
      if (proto !== Object.prototype && proto !== null) return this._export(value, 'o');
      const keys = Object.keys(value);
      for (const key of keys) {
        const desc = Object.getOwnPropertyDescriptor(value, key);
        if (!desc || 'get' in desc || 'set' in desc || typeof desc.value === 'function') {
          return this._export(value, 'o');
        }
      }
      const out = [];
      for (const key of keys) out.push([key, this._enc(value[key], depth + 1, budget, seen)]);
      return Object.isFrozen(value) ? { $: 'O', v: out, f: 1 } : { $: 'O', v: out };
    } finally {
      seen.delete(value);
    }
  }

  encodeError(err) {
    let name = 'Error';
    let message = '';
    try {
      if (err && (typeof err === 'object' || typeof err === 'function')) {
        const n = err.name;
        const m = err.message;
        name = typeof n === 'string' ? n.slice(0, 100) : 'Error';
        message = typeof m === 'string' ? m.slice(0, 2000) : String(m).slice(0, 2000);
      } else {
        name = 'Thrown';
        message = String(err).slice(0, 2000);
      }
    } catch (again) {
      name = 'Error';
      message = 'an error that could not be read';
    }
    if (this.trusted && err instanceof Error && err.constructor !== Error && !(err instanceof RemoteError)) {
      // Engine errors quote the code that failed ("items.reduce is not a function"): never
      // let the code being tested by a learner show through. Course code throws plain Errors.
      const engine = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];
      if (engine.some((cls) => err.constructor === cls)) message = `${name} inside the code being tested`;
    }
    return { name, message };
  }

  _decodeError(e) {
    const name = typeof e.name === 'string' ? e.name.slice(0, 100) : 'Error';
    const message = typeof e.message === 'string' ? e.message : '';
    const classes = { TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError };
    const Cls = Object.prototype.hasOwnProperty.call(classes, name) ? classes[name] : Error;
    const err = new Cls(message);
    if (Cls === Error && name !== 'Error') {
      Object.defineProperty(err, 'name', { value: name, configurable: true, writable: true });
    }
    // Thrown on the other side: its stack (paths, lines) stays there; this names the side.
    Object.defineProperty(err, 'stack', {
      value: `${name}: ${message}\n    at ${this.remoteLabel}`,
      configurable: true,
      writable: true,
    });
    return err;
  }

  decode(v, depth = 0) {
    if (depth > MAX_DEPTH + 2) throw new RemoteError('A value was too deeply nested.');
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
    if (typeof v !== 'object' || Array.isArray(v)) throw new RemoteError('bad value');
    switch (v.$) {
      case 'u':
        return undefined;
      case 'n':
        return { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 }[v.v] ?? NaN;
      case 'b':
        return BigInt(String(v.v).slice(0, 10000));
      case 'y':
        return Symbol(String(v.v));
      case 'd':
        return new Date(Number(v.v));
      case 're':
        try {
          return new RegExp(String(v.s), String(v.f));
        } catch (err) {
          return new RegExp('(?!)');
        }
      case 'e':
        return this._decodeError(v);
      case 'a': {
        const out = this._list(v.v).map((x) => this.decode(x, depth + 1));
        return v.f === 1 ? Object.freeze(out) : out;
      }
      case 'm':
        return new Map(this._list(v.v).map((p) => [this.decode(this._list(p)[0], depth + 1), this.decode(this._list(p)[1], depth + 1)]));
      case 's':
        return new Set(this._list(v.v).map((x) => this.decode(x, depth + 1)));
      case 'buf':
        return Buffer.from(String(v.v), 'base64');
      case 'O': {
        const out = {};
        for (const pair of this._list(v.v)) {
          const [key, val] = this._list(pair);
          Object.defineProperty(out, String(key), {
            value: this.decode(val, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return v.f === 1 ? Object.freeze(out) : out;
      }
      case 'r': {
        if (!this.exports.has(v.id)) throw new RemoteError('unknown handle');
        return this.exports.get(v.id);
      }
      case 'h':
        return this._proxy(v);
      default:
        throw new RemoteError('bad value');
    }
  }

  _list(x) {
    if (!Array.isArray(x)) throw new RemoteError('bad value');
    return x;
  }

  _proxy(h) {
    const id = Number(h.id);
    if (!Number.isInteger(id) || id < 1) throw new RemoteError('bad handle');
    const known = this.imports.get(id);
    if (known) return known;
    let made;
    if (h.k === 'p') {
      made = this.callAsync('await', { h: id }, this.callTimeout * 2);
      made.catch(() => {}); // rejections are seen by whoever awaits it
      this.proxyIds.set(made, id);
    } else {
      made = this._objectProxy(id, h);
    }
    this.imports.set(id, made);
    return made;
  }

  _objectProxy(id, h) {
    const channel = this;
    const isFn = h.k === 'f';
    // The target gives local builtins (call, apply, bind, toString, hasOwnProperty, ...), so
    // those never run on the other side; it has no source of the other side's code.
    const target = isFn ? function () {} : {};
    if (isFn) {
      Object.defineProperty(target, 'name', { value: typeof h.n === 'string' ? h.n : '' });
      Object.defineProperty(target, 'length', { value: Number.isInteger(h.l) ? h.l : 0 });
    }
    const self = { h: id };
    const local = (key) => typeof key === 'symbol' || (key in target && !Object.prototype.hasOwnProperty.call(target, key)) || FORBIDDEN_KEYS.has(key) || (isFn && (key === 'name' || key === 'length'));
    const handler = {
      get(t, key) {
        if (local(key)) return Reflect.get(t, key);
        const got = channel.call('get', { h: id, k: String(key) });
        return got;
      },
      set(t, key, value) {
        if (typeof key === 'symbol' || FORBIDDEN_KEYS.has(key)) return false;
        channel.call('set', { h: id, k: String(key), v: channel.encode(value) });
        return true;
      },
      has(t, key) {
        if (typeof key === 'symbol') return false;
        return !!channel.call('has', { h: id, k: String(key) });
      },
      deleteProperty(t, key) {
        if (typeof key === 'symbol' || FORBIDDEN_KEYS.has(key)) return false;
        return !!channel.call('del', { h: id, k: String(key) });
      },
      ownKeys(t) {
        const keys = channel.call('keys', { h: id });
        const out = Array.isArray(keys) ? keys.filter((k) => typeof k === 'string') : [];
        for (const k of Reflect.ownKeys(t)) {
          const d = Reflect.getOwnPropertyDescriptor(t, k);
          if (d && !d.configurable && !out.includes(k)) out.push(k);
        }
        return out;
      },
      getOwnPropertyDescriptor(t, key) {
        const own = Reflect.getOwnPropertyDescriptor(t, key);
        if (own && !own.configurable) return own;
        if (typeof key === 'symbol') return undefined;
        if (!channel.call('hasOwn', { h: id, k: String(key) })) return undefined;
        return { value: handler.get(t, key), writable: true, enumerable: true, configurable: true };
      },
      defineProperty() {
        return false;
      },
      getPrototypeOf() {
        return isFn ? Function.prototype : Object.prototype;
      },
      setPrototypeOf() {
        return false;
      },
      apply(t, thisArg, args) {
        const list = Array.from(args);
        return channel.call('apply', { h: id, t: channel.encode(thisArg), args: channel.encode(list) }, list);
      },
      construct(t, args) {
        const list = Array.from(args);
        return channel.call('construct', { h: id, args: channel.encode(list) }, list);
      },
    };
    void self;
    const proxy = new Proxy(target, handler);
    this.proxyIds.set(proxy, id);
    return proxy;
  }

  // ---- serving ---------------------------------------------------------------------------

  _target(msg) {
    const id = msg.h;
    if (!this.exports.has(id)) throw new RemoteError('unknown handle');
    return this.exports.get(id);
  }

  _key(msg) {
    const key = String(msg.k);
    if (FORBIDDEN_KEYS.has(key)) throw new RemoteError(`${key} is not available in a check`);
    return key;
  }

  // The property as the holder would see it; {builtin} when it comes from a builtin prototype
  // (the other side then uses its own copy, so no builtin is ever handed across).
  _lookup(obj, key) {
    let o = obj;
    for (let i = 0; o !== null && o !== undefined && i < 100; i++) {
      if (BUILTIN_PROTOS.has(o)) return { builtin: true };
      const desc = Object.getOwnPropertyDescriptor(o, key);
      if (desc) return { found: true };
      o = Object.getPrototypeOf(o);
    }
    return { found: false };
  }

  _installBuiltinOps() {
    const ops = this.ops;
    ops.get = function (msg) {
      const obj = this._target(msg);
      const key = this._key(msg);
      const where = this._lookup(obj, key);
      if (where.builtin || !where.found) return undefined;
      return Reflect.get(obj, key);
    };
    ops.set = function (msg) {
      const obj = this._target(msg);
      const key = this._key(msg);
      return Reflect.set(obj, key, this.decode(msg.v));
    };
    ops.has = function (msg) {
      const obj = this._target(msg);
      const where = this._lookup(obj, this._key(msg));
      return !!where.found;
    };
    ops.hasOwn = function (msg) {
      return Object.prototype.hasOwnProperty.call(this._target(msg), this._key(msg));
    };
    ops.del = function (msg) {
      return Reflect.deleteProperty(this._target(msg), this._key(msg));
    };
    ops.keys = function (msg) {
      return Object.keys(this._target(msg)).filter((k) => !FORBIDDEN_KEYS.has(k));
    };
    ops.apply = function (msg) {
      const fn = this._target(msg);
      if (typeof fn !== 'function') throw new TypeError('not a function');
      const decoded = this.decode(msg.args);
      const args = Array.isArray(decoded) ? decoded : [];
      return new WithArgs(Reflect.apply(fn, this.decode(msg.t), args), args);
    };
    ops.construct = function (msg) {
      const fn = this._target(msg);
      if (typeof fn !== 'function') throw new TypeError('not a constructor');
      const decoded = this.decode(msg.args);
      const args = Array.isArray(decoded) ? decoded : [];
      return new WithArgs(Reflect.construct(fn, args), args);
    };
    ops.await = function (msg) {
      const p = this._target(msg);
      return new Later(Promise.resolve(p));
    };
  }
}

module.exports = { Channel, Later, RemoteError, MAX_FRAME };
