const test = require('node:test');
const assert = require('node:assert/strict');

function load(file, names) {
  let mod;
  try {
    mod = require(`./${file}`);
  } catch (err) {
    assert.fail(`${file} could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of names) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`${file} should export a function called ${name}`);
    }
  }
  return mod;
}

function createApp(options) {
  return load('app.js', ['createApp']).createApp(options);
}

// HTML compared the way a browser shows it: spaces and new lines between tags, the case of tag
// names, attributes on a tag and which safe spelling a character has (&#39; = &#x27;) do not
// matter.
const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const SAFE = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function tidy(html) {
  return String(html)
    .replace(/<(\/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*>/g, (m, slash, tag) => `<${slash}${tag.toLowerCase()}>`)
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
      let ch;
      if (name[0] === '#') {
        ch = String.fromCodePoint(name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
      } else {
        ch = NAMED[name.toLowerCase()];
      }
      return ch !== undefined && SAFE[ch] ? SAFE[ch] : whole;
    })
    .replace(/\s+/g, ' ')
    .replace(/> </g, '><')
    .trim();
}

// text/html; charset=utf-8 = text/html;charset=UTF-8
function contentType(value) {
  return String(value || '').toLowerCase().replace(/\s+/g, '');
}

// ---- helpers: start the learner's server and ask it things ----
// During a check the learner's code runs in a sandbox of its own: check.cjs asks that sandbox
// to start the server on its loopback and to send it each request there.
const check = require('/slate/harness/check.cjs');

// Once the server has failed to answer, later requests fail at once instead of waiting again.
let serverHung = false;
const ANSWER_MS = 2000;

async function request(port, method, path, { body = '', headers = {} } = {}) {
  if (serverHung) {
    throw new Error('The server did not answer an earlier request, so this one was not tried.');
  }
  const res = await check.request(port, method, path, { body, headers, timeout: ANSWER_MS });
  if (res.timeout) {
    serverHung = true;
    throw new Error(`${method} ${path} got no answer within ${ANSWER_MS / 1000} seconds. ` +
      'Does every path through your code end with res.end(...)?');
  }
  return res;
}

function postForm(port, path, fields) {
  const body = new URLSearchParams(fields).toString();
  return request(port, 'POST', path, {
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
  });
}

// Start a server from createApp on a free port, run fn(port), then always stop the server.
async function withServer(createApp, options, fn) {
  let server;
  try {
    server = createApp(options);
  } catch (err) {
    assert.fail(`createApp() stopped with an error: ${err.message}`);
  }
  assert.ok(check.isServer(server), 'createApp() should return the server made by http.createServer(...)');
  let port;
  try {
    port = await check.listen(server);
  } catch (err) {
    if (/more than once|ERR_SERVER_ALREADY_LISTEN|EADDRINUSE/.test(String(err && (err.code || '') + ' ' + err.message))) {
      assert.fail('createApp() should make the server and give it back without starting it: '
        + 'the tests (and try.js) call listen themselves. Remove the .listen(...) line from createApp.');
    }
    throw err;
  }
  try {
    return await fn(port);
  } finally {
    await check.close(server);
  }
}
// ---- end of helpers ----

test('timetableView makes a page titled Today with one <li> per lesson', () => {
  const { timetableView } = load('view.js', ['timetableView']);
  const html = tidy(timetableView([{ time: '09:00', subject: 'English' }, { time: '11:15', subject: 'Art' }]));
  assert.match(html, /^<!DOCTYPE html>/i, 'timetableView should return a whole page made with page(...)');
  assert.ok(html.includes('<title>Today</title>'), 'The page title should be Today');
  assert.ok(html.includes('<h1>Today</h1><ul><li>09:00 English</li><li>11:15 Art</li></ul>'),
    'Expected <h1>Today</h1> then <ul><li>09:00 English</li><li>11:15 Art</li></ul>');
});

test('timetableView escapes the subjects', () => {
  const { timetableView } = load('view.js', ['timetableView']);
  const html = tidy(timetableView([{ time: '14:00', subject: 'Fish & <i>Chips</i>' }]));
  assert.ok(html.includes('<li>14:00 Fish &amp; &lt;i&gt;Chips&lt;/i&gt;</li>'), 'Escape each subject with escapeHtml');
});

test("helloView('Sam') makes a page with <h1>Hello, Sam!</h1>", () => {
  const { helloView } = load('view.js', ['helloView']);
  const html = tidy(helloView('Sam'));
  assert.match(html, /^<!DOCTYPE html>/i, 'helloView should return a whole page made with page(...)');
  assert.ok(html.includes('<title>Hello</title>'), 'The page title should be Hello');
  assert.ok(html.includes('<h1>Hello, Sam!</h1>'), 'Expected <h1>Hello, Sam!</h1>');
});

test('GET / answers 200 with the timetable as HTML', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200, 'GET / should answer with status 200');
    assert.equal(contentType(res.headers['content-type']), 'text/html;charset=utf-8', 'GET / should be text/html; charset=utf-8');
    assert.ok(tidy(res.body).includes('<li>09:00 English</li><li>10:30 Maths</li><li>13:00 Web pages</li>'),
      'GET / should show the three lessons from app.js, using timetableView(lessons)');
  });
});

test('GET /hello?name=Sam answers with Hello, Sam!', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/hello?name=Sam');
    assert.equal(res.status, 200, 'GET /hello?name=Sam should answer with status 200');
    assert.equal(contentType(res.headers['content-type']), 'text/html;charset=utf-8', 'GET /hello should be text/html; charset=utf-8');
    assert.ok(tidy(res.body).includes('<h1>Hello, Sam!</h1>'), 'GET /hello?name=Sam should show <h1>Hello, Sam!</h1>');
  });
});

test('GET /hello with no name says Hello, friend!', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/hello');
    assert.ok(tidy(res.body).includes('<h1>Hello, friend!</h1>'), 'With no name in the query, show <h1>Hello, friend!</h1>');
  });
});

test('a name with HTML in it is escaped', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/hello?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.ok(!/<script/i.test(res.body), 'A name from the address must never reach the page as a real <script>');
    assert.ok(tidy(res.body).includes('Hello, &lt;script&gt;alert(1)&lt;/script&gt;!'), 'The name should appear escaped');
  });
});

test('other paths still answer 404', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/goodbye');
    assert.equal(res.status, 404, 'GET /goodbye should answer with status 404');
  });
});
