// A canned HTTP service for fetch exercises, started inside the learner's check sandbox.
//
// The course's tests (harness side) describe routes as plain data and ask the learner's
// sandbox, through check.cjs `fixture(routes)`, to serve them on that sandbox's loopback, so
// the learner's fetch() has something real to talk to (there is no network). The verdict never
// depends on this process: the tests judge what the learner's functions *return*; the request
// log only tells them what the learner's code sent. It runs in the learner's process, so learner
// code could change what it answers or logs, which only changes the learner's own inputs.
//
// A route: { method: 'GET', path: '/books' (exact; '/books?x=1' matches the query too),
//            status: 200, headers: {...}, json: <any> | body: '<text>', delay: ms }
// A request that matches no route gets 404 {"error": "Not found"}.
'use strict';

const http = require('http');

const MAX_ROUTES = 200;
const MAX_LOG = 200;
const MAX_BODY = 64 * 1024;
const MAX_DELAY = 20000;
const running = new Map(); // id -> { server, log, timers }
let nextId = 1;

function text(value, fallback = '') {
  return typeof value === 'string' ? value : fallback;
}

function cleanRoute(route) {
  if (!route || typeof route !== 'object') throw new Error('a route must be an object');
  const out = {
    method: text(route.method, 'GET').toUpperCase(),
    path: text(route.path, '/'),
    status: Number.isInteger(route.status) && route.status >= 100 && route.status <= 599 ? route.status : 200,
    headers: {},
    body: '',
    delay: Math.max(0, Math.min(Number(route.delay) || 0, MAX_DELAY)),
  };
  if ('json' in route) {
    out.body = JSON.stringify(route.json);
    out.headers['Content-Type'] = 'application/json';
  } else {
    out.body = text(route.body);
  }
  if (route.headers && typeof route.headers === 'object') {
    for (const [key, value] of Object.entries(route.headers)) out.headers[String(key)] = String(value);
  }
  return out;
}

function find(routes, method, url) {
  const pathname = url.split('?')[0];
  return (
    routes.find((r) => r.method === method && r.path === url) ||
    routes.find((r) => r.method === method && r.path === pathname) ||
    null
  );
}

function start(routeList) {
  if (!Array.isArray(routeList) || routeList.length > MAX_ROUTES) throw new Error('routes must be a list');
  const routes = routeList.map(cleanRoute);
  const entry = { server: null, log: [], timers: new Set() };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (entry.log.length < MAX_LOG) {
        entry.log.push({
          method: req.method,
          path: req.url,
          contentType: text(req.headers['content-type']),
          body: Buffer.concat(chunks).toString('utf8'),
        });
      }
      const route = find(routes, req.method, req.url);
      const answer = () => {
        if (res.destroyed) return;
        if (!route) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end('{"error":"Not found"}');
          return;
        }
        res.writeHead(route.status, route.headers);
        res.end(route.body);
      };
      if (route && route.delay > 0) {
        const timer = setTimeout(() => {
          entry.timers.delete(timer);
          answer();
        }, route.delay);
        entry.timers.add(timer);
      } else {
        answer();
      }
    });
  });
  entry.server = server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const id = nextId++;
      running.set(id, entry);
      resolve({ id, port: server.address().port });
    });
  });
}

function stop(id) {
  const entry = running.get(id);
  if (!entry) return Promise.resolve(false);
  running.delete(id);
  for (const timer of entry.timers) clearTimeout(timer);
  if (typeof entry.server.closeAllConnections === 'function') entry.server.closeAllConnections();
  return new Promise((resolve) => entry.server.close(() => resolve(true)));
}

// The serving side's `fixture` operation (see serve.cjs): start / log / stop.
function op(msg, { Later, RemoteError }) {
  const action = String(msg.action);
  if (action === 'start') {
    let started;
    try {
      started = start(msg.routes);
    } catch (err) {
      throw new RemoteError(err.message);
    }
    return new Later(started);
  }
  if (action === 'log') {
    const entry = running.get(Number(msg.id));
    return entry ? entry.log.map((item) => ({ ...item })) : [];
  }
  if (action === 'stop') return new Later(stop(Number(msg.id)));
  throw new RemoteError('unknown fixture action');
}

module.exports = { op, start, stop };
