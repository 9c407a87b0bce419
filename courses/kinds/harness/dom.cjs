// A browser-course test's view of the learner's web page (proxy side of a check, see rpc.cjs):
//   const { openPage } = require('/slate/harness/dom.cjs');
//   const page = openPage();                 // index.html, with its scripts run
//   page.type('#name', 'Sam'); page.click('#add');
//   assert.deepStrictEqual(page.texts('li'), ['Sam']);
// The page lives in the learner's sandbox (dom-serve.cjs). Each question goes over the check
// channel and its answer comes back as JSON text, parsed here and checked against the shape
// the question expects: a hostile page can give wrong answers (and fail), never a value whose
// getters or toString run here, and never a verdict (that is made by the tests in this process).
'use strict';

const { channel } = require('./proxy.cjs');

const UNREADABLE = 'The page gave an answer the check could not read.';

const isText = (v) => typeof v === 'string';
const isTexts = (v) => Array.isArray(v) && v.every(isText);
const SHAPES = {
  count: (v) => Number.isInteger(v) && v >= 0,
  exists: (v) => typeof v === 'boolean',
  text: (v) => v === null || isText(v),
  texts: isTexts,
  attr: (v) => v === null || isText(v),
  classes: isTexts,
  html: (v) => v === null || isText(v),
  value: (v) => v === null || isText(v),
  checked: (v) => typeof v === 'boolean',
  visible: (v) => typeof v === 'boolean',
  tag: (v) => v === null || isText(v),
  children: isTexts,
  title: isText,
  errors: isTexts,
  logs: isTexts,
  act: (v) => v !== null && typeof v === 'object' && typeof v.reloaded === 'boolean' && isTexts(v.newErrors),
  open: (v) => Number.isInteger(v) && v > 0,
};

function ask(op, msg, shape) {
  const reply = channel.call(op, msg);
  // A primitive string can't be a proxy: whatever the other side did, this is plain text.
  if (typeof reply !== 'string' || reply.length > (4 << 20)) throw new Error(UNREADABLE);
  let data;
  try {
    data = JSON.parse(reply);
  } catch (err) {
    throw new Error(UNREADABLE);
  }
  if (data === null || typeof data !== 'object') throw new Error(UNREADABLE);
  if (Object.prototype.hasOwnProperty.call(data, 'error')) {
    throw new Error(typeof data.error === 'string' ? data.error : UNREADABLE);
  }
  if (!Object.prototype.hasOwnProperty.call(data, 'ok') || !SHAPES[shape](data.ok)) throw new Error(UNREADABLE);
  return data.ok;
}

class Page {
  constructor(id) {
    this.id = id;
  }

  _read(action, selector, arg) {
    return ask('domRead', { page: this.id, action, selector, arg }, action);
  }

  _act(action, selector, arg) {
    return ask('domAct', { page: this.id, action, selector: String(selector), arg }, 'act');
  }

  // Reading (the first element that matches, unless said otherwise).
  count(selector) { return this._read('count', selector); }
  exists(selector) { return this._read('exists', selector); }
  text(selector) { return this._read('text', selector); } // spaces squashed, trimmed; null: no match
  texts(selector) { return this._read('texts', selector); } // every match
  attr(selector, name) { return this._read('attr', selector, String(name)); }
  classes(selector) { return this._read('classes', selector); }
  html(selector) { return this._read('html', selector); }
  value(selector) { return this._read('value', selector); }
  checked(selector) { return this._read('checked', selector); }
  visible(selector) { return this._read('visible', selector); }
  tag(selector) { return this._read('tag', selector); }
  children(selector) { return this._read('children', selector); }
  title() { return this._read('title'); }
  errors() { return this._read('errors'); } // the page's script errors, as sentences
  logs() { return this._read('logs'); } // what its scripts printed

  // Doing: each answers { reloaded, newErrors } (reloaded: a form was sent without
  // preventDefault, and the page loaded again as in a browser).
  click(selector) { return this._act('click', selector); }
  type(selector, text) { return this._act('type', selector, String(text)); }
  select(selector, value) { return this._act('select', selector, String(value)); }
  key(selector, key) { return this._act('key', selector, String(key)); }
  submit(selector) { return this._act('submit', selector); }
  // Call a function the page's script declared at its top level, with plain data (JSON)
  // made in the page's own world: e.g. page.call('renderBooks', [{ title: 'Emma' }]).
  call(name, ...args) {
    return ask('domAct', { page: this.id, action: 'call', selector: String(name), arg: JSON.parse(JSON.stringify(args)) }, 'act');
  }
}

// The learner's page, freshly loaded: a new page for every call (like reloading the browser).
function openPage(file = 'index.html') {
  return new Page(ask('domOpen', { file: String(file) }, 'open'));
}

// The sentence for a test that the page's scripts ran without an error.
function firstError(page) {
  const errors = page.errors();
  return errors.length ? `Your script stopped with an error: ${errors[0]}` : '';
}

module.exports = { openPage, firstError };
