// Helpers a course's test file uses to reach the learner's sandbox during a check:
//   const check = require('/slate/harness/check.cjs');
// The learner's code runs in another sandbox (see rpc.cjs); these ask it, over the channel,
// to start an http.Server the learner's code made, send it requests on its own loopback, and
// read SQLite files the learner's code wrote there.
'use strict';

const { channel } = require('./proxy.cjs');

function handleOf(value, what) {
  const id = channel.proxyIds.get(value);
  if (id === undefined) throw new TypeError(`${what} is not a value from the learner's code`);
  return id;
}

// True when value is an http.Server made by the learner's code.
function isServer(value) {
  const id = channel.proxyIds.get(value);
  return id !== undefined && channel.call('isServer', { h: id }) === true;
}

// Start the learner's server on a free loopback port in its sandbox; resolves to the port.
function listen(server) {
  return channel.callAsync('listen', { h: handleOf(server, 'the server') }, 5000);
}

// Close the learner's server (and its open connections).
function close(server) {
  return channel.callAsync('close', { h: handleOf(server, 'the server') }, 5000);
}

// One HTTP request to the learner's server: { status, headers, body }, or { timeout: true }
// when it did not answer within timeout ms.
function request(port, method, path, { body = '', headers = {}, timeout = 2000 } = {}) {
  const plain = {};
  for (const [key, value] of Object.entries(headers)) plain[key] = String(value);
  return channel.callAsync('http', { port, method, path, body: String(body), headers: plain, timeout }, timeout + 3000);
}

// A new empty folder in the learner's sandbox's /tmp (its path there).
function tempDir(prefix = 'slate-') {
  return channel.call('tempDir', { prefix });
}

function removeDir(dir) {
  return channel.call('removeDir', { path: dir });
}

// Rows of `sql` run by the sqlite3 CLI on a database file in the learner's sandbox.
function sqlite(db, sql) {
  return channel.call('sqlite', { db, sql });
}

// Serve canned answers on the learner's sandbox's loopback, for the learner's fetch() to reach
// (routes: see fixture.cjs). Resolves to { url, requests(), close() }: url is the service's
// base address there, requests() lists what it received ({ method, path, contentType, body }).
async function fixture(routes) {
  const plain = JSON.parse(JSON.stringify(routes));
  // Generous: the first call may wait for the learner's sandbox to start on a busy machine.
  const { id, port } = await channel.callAsync('fixture', { action: 'start', routes: plain }, 15000);
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => channel.call('fixture', { action: 'log', id }),
    close: () => channel.callAsync('fixture', { action: 'stop', id }, 5000),
  };
}

module.exports = { isServer, listen, close, request, tempDir, removeDir, sqlite, fixture };
