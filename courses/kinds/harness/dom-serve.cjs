// The subject side of a browser-course check (loaded by serve.cjs in "learner" mode): opens the
// learner's page (dom-page.cjs) in this, the learner's, sandbox and answers the course tests'
// questions about it. Every answer is JSON *text*: the tests' side (dom.cjs) parses and
// type-checks it, so nothing of the page (no node, no getter, no toString) crosses the channel.
'use strict';

const { RemoteError } = require('./rpc.cjs');

const MAX_PAGES = 20; // open pages kept (a test usually needs one); the oldest is closed

function install(channel) {
  const pages = new Map();
  let next = 1;
  let Page = null;

  const page = (msg) => {
    const found = pages.get(Number(msg.page));
    if (!found) throw new RemoteError('That page is not open.');
    return found;
  };
  const answer = (fn) => {
    try {
      return JSON.stringify({ ok: fn() });
    } catch (err) {
      return JSON.stringify({ error: String((err && err.message) || err).slice(0, 480) });
    }
  };

  channel.ops.domOpen = function (msg) {
    const file = String(msg.file || 'index.html');
    return answer(() => {
      if (!/^[A-Za-z0-9_-][A-Za-z0-9_.\/-]*\.html?$/.test(file) || file.includes('..')) {
        throw new Error('The check asked for a page that is not an HTML file of the exercise.');
      }
      Page = Page || require('./dom-page.cjs').Page;
      let opened;
      try {
        opened = new Page('/work', file);
      } catch (err) {
        if (err && err.code === 'ENOENT') throw new Error(`There is no ${file} in your exercise folder.`);
        throw err;
      }
      if (pages.size >= MAX_PAGES) {
        const [oldest, old] = pages.entries().next().value;
        pages.delete(oldest);
        old.close();
      }
      const id = next++;
      pages.set(id, opened);
      return id;
    });
  };

  channel.ops.domRead = function (msg) {
    return answer(() => page(msg).read(String(msg.action), msg.selector === undefined ? '' : String(msg.selector), msg.arg));
  };

  channel.ops.domAct = function (msg) {
    return answer(() => page(msg).act(String(msg.action), String(msg.selector), msg.arg));
  };
}

module.exports = { install };
