// A learner's web page in node: index.html parsed by happy-dom, the page's own scripts run in
// it, and a small set of actions a check or the Run key uses on it by CSS selector.
//
// Used in two places, always inside a sandbox that runs as the learner:
// - a browser-course check's subject side (dom-serve.cjs, loaded by serve.cjs): the course's
//   tests open the page and drive it over the check channel; only JSON text comes back;
// - the Run key: `node /usr/local/lib/slate/dom-page.cjs [index.html]` (this file is copied
//   there by .ci/install-node-libs.py) prints the page as it is after the scripts ran, as an
//   outline with the scripts' console lines and errors; with `--html`, as HTML.
//
// Scripts: every <script> of the page, in order; a plain one sees only the part of the page
// before it (as in a browser), defer/async/module ones the whole page. A `src` must name a file
// of the exercise folder. Each runs in the page's window (a
// node vm context: not a security boundary; the sandbox is). Then DOMContentLoaded and load
// fire. An error a script throws, at load or in an event handler, is kept as a sentence with
// its file and line (page.errors), never a stack.
// A form submitted without event.preventDefault() loads the page again, as a browser does.
'use strict';

const fs = require('fs');
const path = require('path');
const vm = require('vm');

const LIBS = '/usr/local/lib/slate/node_modules';
const MAX_LOG = 200;
const MAX_TEXT = 2000;

let happyDom = null;
function library() {
  if (!happyDom) {
    try {
      // Resolved through the package's "exports" (its CommonJS build on every node from 18),
      // not its "main" (an ES module that node 18 cannot require).
      happyDom = require(require.resolve('happy-dom', { paths: [LIBS] }));
    } catch (err) {
      throw new Error('The web page tools are not installed on this computer. Tell your instructor.');
    }
  }
  return happyDom;
}

function clip(text, n = MAX_TEXT) {
  text = String(text);
  return text.length > n ? text.slice(0, n) + '…' : text;
}

function squash(text) {
  return String(text == null ? '' : text).replace(/\s+/g, ' ').trim();
}

// "script.js line 4: Cannot read properties of null (reading 'textContent')"
function describeError(err, files) {
  let name = 'Error';
  let message = '';
  let stack = '';
  try {
    name = String(err && err.name ? err.name : 'Error');
    message = String(err && err.message !== undefined ? err.message : err);
    stack = String((err && err.stack) || '');
  } catch (e) {
    message = 'an error the page could not describe';
  }
  let where = '';
  for (const file of files) {
    const m = stack.match(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`));
    if (m) {
      where = `${file} line ${m[1]}: `;
      break;
    }
  }
  let advice = '';
  if (/of null/.test(message)) {
    advice = ' (a querySelector or getElementById found nothing: check the selector matches your HTML)';
  } else if (/of undefined/.test(message)) {
    advice = ' (the thing before the dot does not exist: check its name, and that it is one element, not a list)';
  } else if (/is not a function/.test(message)) {
    advice = ' (check the spelling of the method, and what it is called on)';
  } else if (name === 'ReferenceError') {
    advice = ' (check the spelling: names are case-sensitive)';
  } else if (name === 'SyntaxError') {
    advice = ' (look for a missing bracket, quote or comma)';
  }
  return clip(`${where}${name}: ${message}${advice}`, 400);
}

class Page {
  // dir: the exercise folder; file: the page's HTML file in it.
  constructor(dir, file = 'index.html') {
    this.dir = dir;
    this.file = file;
    this.logs = [];
    this.errors = [];
    this.scriptFiles = [];
    this.reloads = 0;
    this.load();
  }

  close() {
    if (!this.window) return;
    try {
      this.window.happyDOM.abort();
      this.window.close();
    } catch (err) {
      // an old page that will not close is left to the garbage collector
    }
  }

  load() {
    this.close();
    const { Window } = library();
    const html = fs.readFileSync(path.join(this.dir, this.file), 'utf8');
    this.quiet = true; // the parser's own complaints (scripts it does not load) are not the learner's
    const push = (kind) => (...args) => {
      if (this.quiet || this.logs.length >= MAX_LOG) return;
      let text;
      try {
        text = args.map((a) => (typeof a === 'string' ? a : describeValue(a))).join(' ');
      } catch (err) {
        text = '(something that could not be printed)';
      }
      this.logs.push(clip(kind === 'log' ? text : `${kind}: ${text}`, 500));
    };
    const noop = () => {};
    const pageConsole = {
      log: push('log'),
      info: push('log'),
      debug: push('log'),
      warn: push('warning'),
      error: push('error'),
      table: push('log'),
      dir: push('log'),
      trace: noop,
      assert: noop,
      group: noop,
      groupEnd: noop,
      time: noop,
      timeEnd: noop,
      count: noop,
      clear: noop,
    };
    const window = new Window({
      url: `http://localhost/${this.file}`,
      console: pageConsole,
      settings: {
        // happy-dom 17 evaluates inline scripts and on...= handlers itself unless told not to;
        // this runner runs them (runScripts, bindInlineHandlers), each exactly once.
        disableJavaScriptEvaluation: true,
        disableJavaScriptFileLoading: true,
        disableCSSFileLoading: true,
        disableIframePageLoading: true,
        navigation: {
          disableMainFrameNavigation: true,
          disableChildFrameNavigation: true,
          disableChildPageNavigation: true,
          disableFallbackToSetURL: true,
        },
      },
    });
    this.window = window;
    this.document = window.document;
    // happy-dom's text setters want a string (textContent = 0 gave ''); a browser turns any
    // value into text, and null into nothing.
    for (const [cls, prop] of [['Node', 'textContent'], ['Element', 'textContent'], ['HTMLElement', 'textContent'],
      ['CharacterData', 'textContent'], ['HTMLElement', 'innerText'], ['Element', 'innerHTML'], ['CharacterData', 'data']]) {
      const proto = window[cls] && window[cls].prototype;
      const own = proto && Object.getOwnPropertyDescriptor(proto, prop);
      if (!own || !own.set) continue;
      Object.defineProperty(proto, prop, {
        ...own,
        set(value) {
          own.set.call(this, value === null ? '' : String(value));
        },
      });
    }
    window.alert = (message) => push('log')(`(a message box) ${message === undefined ? '' : message}`);
    window.confirm = () => false;
    window.prompt = () => null;
    this.document.write(html);
    this.quiet = false;
    this.addStyleSheets();
    window.addEventListener('error', (event) => {
      this.addError(event && event.error !== undefined ? event.error : event && event.message);
    });
    this.lastSubmit = null;
    window.addEventListener('submit', (event) => {
      this.lastSubmit = event;
    }, true);
    this.bindInlineHandlers();
    this.runScripts();
    for (const [target, type] of [[this.document, 'DOMContentLoaded'], [window, 'load']]) {
      try {
        target.dispatchEvent(new window.Event(type));
      } catch (err) {
        this.addError(err);
      }
    }
  }

  // The page's own stylesheets (<link rel="stylesheet" href="style.css">), so a class that
  // hides something in the CSS hides it here too: each file's text goes in a <style> after
  // its link (happy-dom loads no files itself).
  addStyleSheets() {
    for (const link of [...this.document.querySelectorAll('link[rel~="stylesheet" i][href]')]) {
      const rel = link.getAttribute('href').trim().replace(/^\.\//, '');
      const full = path.resolve(this.dir, rel);
      if (/^[a-z]+:/i.test(rel) || !full.startsWith(path.resolve(this.dir) + path.sep)) continue;
      let css;
      try {
        css = fs.readFileSync(full, 'utf8');
      } catch (err) {
        continue;
      }
      const style = this.document.createElement('style');
      style.setAttribute('data-slate-from', rel);
      style.textContent = css;
      link.after(style);
    }
  }

  // Handlers written in the HTML (<button onclick="add()">): happy-dom runs none of them with
  // its own script running off, so each becomes a listener here, compiled in the page's window
  // (names resolve when it runs, as in a browser); `return false` cancels the event.
  bindInlineHandlers() {
    for (const el of [this.document.documentElement, ...this.document.querySelectorAll('*')]) {
      for (const attr of [...el.attributes]) {
        const name = attr.name.toLowerCase();
        if (!name.startsWith('on') || name.length < 4) continue;
        const type = name.slice(2);
        let handler;
        try {
          handler = vm.runInContext(`(function (event) {\n${attr.value}\n})`, this.window, {
            filename: this.file,
            displayErrors: false,
          });
        } catch (err) {
          this.addError(err);
          continue;
        }
        // happy-dom 17 compiles on...= attributes into the element's `on<type>` property on its
        // own (whatever its settings) and calls that on dispatch too: shadow it with a plain,
        // writable property so the handler runs once (the listener below), and the learner's
        // own `el.onclick = fn` still works. Runs before the page's scripts.
        try {
          Object.defineProperty(el, name, { value: null, writable: true, configurable: true });
        } catch (err) {
          // an element that refuses the property keeps happy-dom's handler
        }
        const target = el.tagName === 'BODY' && ['load', 'unload', 'beforeunload'].includes(type) ? this.window : el;
        target.addEventListener(type, function (event) {
          if (handler.call(this, event) === false) event.preventDefault();
        });
      }
    }
  }

  addError(err) {
    if (this.errors.length < 20) this.errors.push(describeError(err, this.scriptFiles));
  }

  runScripts() {
    for (const script of [...this.document.querySelectorAll('script')]) {
      const type = (script.getAttribute('type') || '').trim().toLowerCase();
      if (type && !['text/javascript', 'module', 'application/javascript'].includes(type)) continue;
      let code;
      let name;
      const src = script.getAttribute('src');
      if (src !== null) {
        const rel = src.trim().replace(/^\.\//, '');
        const full = path.resolve(this.dir, rel);
        if (/^[a-z]+:/i.test(rel) || !full.startsWith(path.resolve(this.dir) + path.sep)) {
          this.errors.push(clip(`The script "${src}" is not a file of this exercise, so it did not run.`, 300));
          continue;
        }
        try {
          code = fs.readFileSync(full, 'utf8');
        } catch (err) {
          this.errors.push(clip(`The page asks for the script "${src}", but there is no such file. Check the name.`, 300));
          continue;
        }
        name = rel;
      } else {
        code = script.textContent;
        name = this.file;
      }
      if (!this.scriptFiles.includes(name)) this.scriptFiles.push(name);
      // A plain <script> runs where it stands, before the browser has read the rest of the
      // page: what comes after it is held back while it runs (defer, async and modules wait
      // for the whole page).
      const waits = type === 'module' || script.hasAttribute('defer') || script.hasAttribute('async');
      const held = waits ? [] : this.holdLaterContent(script);
      try {
        vm.runInContext(code, this.window, { filename: name, displayErrors: false });
      } catch (err) {
        this.addError(err);
        if (held.some(([, later]) => later.some((node) => node.nodeType === 1)) && /of null/.test(String(err && err.message))) {
          this.errors[this.errors.length - 1] += ' Your <script> comes before that part of the page, so it is not there yet: put the <script> at the end of <body>, or add defer to it.';
        }
      } finally {
        this.restoreLaterContent(held);
      }
    }
  }

  // Take every node after `script` in the page (its later siblings, and those of each element
  // around it) out of the document; [parent, nodes] pairs to put back.
  holdLaterContent(script) {
    const held = [];
    for (let node = script; node.parentNode && node.parentNode.nodeType === 1; node = node.parentNode) {
      const later = [];
      for (let sib = node.nextSibling; sib; sib = sib.nextSibling) later.push(sib);
      this.quiet = true;
      for (const sib of later) node.parentNode.removeChild(sib);
      this.quiet = false;
      held.push([node.parentNode, later]);
    }
    return held;
  }

  // Put held nodes back at the end of their parents, after anything the script added there
  // (where a browser would go on parsing).
  restoreLaterContent(held) {
    this.quiet = true;
    try {
      for (const [parent, later] of held) for (const node of later) parent.appendChild(node);
    } finally {
      this.quiet = false;
    }
  }

  // ---- reading -------------------------------------------------------------------------

  all(selector) {
    try {
      return [...this.document.querySelectorAll(String(selector))];
    } catch (err) {
      throw new Error(`The check used a selector the page could not read: ${selector}`);
    }
  }

  one(selector, doing) {
    const found = this.all(selector)[0];
    if (!found) {
      let message = `Nothing on the page matches ${selector}, so the check could not ${doing} it.`;
      if (this.errors.length) message += ` Your script stopped with an error first: ${this.errors[0]}`;
      throw new Error(clip(message, 480));
    }
    return found;
  }

  read(action, selector, arg) {
    const first = () => this.all(selector)[0] || null;
    switch (action) {
      case 'count':
        return this.all(selector).length;
      case 'exists':
        return this.all(selector).length > 0;
      case 'text': {
        const el = first();
        return el ? clip(squash(el.textContent)) : null;
      }
      case 'texts':
        return this.all(selector).slice(0, 500).map((el) => clip(squash(el.textContent), 300));
      case 'attr': {
        const el = first();
        return el ? el.getAttribute(String(arg)) : null;
      }
      case 'classes': {
        const el = first();
        return el ? [...el.classList].map(String) : [];
      }
      case 'html': {
        const el = first();
        return el ? clip(el.outerHTML, 20000) : null;
      }
      case 'value': {
        const el = first();
        return el && el.value !== undefined && el.value !== null ? String(el.value) : null;
      }
      case 'checked': {
        const el = first();
        return !!(el && el.checked);
      }
      case 'visible': {
        const el = first();
        return !!el && isVisible(el, this.window);
      }
      case 'tag': {
        const el = first();
        return el ? el.tagName.toLowerCase() : null;
      }
      case 'children': {
        const el = first();
        return el ? [...el.children].map((c) => c.tagName.toLowerCase()) : [];
      }
      case 'title':
        return clip(squash(this.document.title));
      case 'errors':
        return this.errors.slice();
      case 'logs':
        return this.logs.slice();
      default:
        throw new Error(`unknown page question ${action}`);
    }
  }

  // ---- doing -----------------------------------------------------------------------------

  act(action, selector, arg) {
    const window = this.window;
    this.lastSubmit = null;
    const errorsBefore = this.errors.length;
    switch (action) {
      case 'click':
        this.one(selector, 'click').click();
        break;
      case 'type': {
        const el = this.one(selector, 'type into');
        if (el.value === undefined) throw new Error(`${selector} is not a box you can type into.`);
        if (typeof el.focus === 'function') el.focus();
        // As a person types: a key goes down, the box changes (input), the key comes up; then
        // change, as when they leave the box. (The whole text at once, the last key named.)
        const text = String(arg);
        const keyInit = { key: text ? text[text.length - 1] : 'Backspace', bubbles: true, cancelable: true };
        el.dispatchEvent(new window.KeyboardEvent('keydown', keyInit));
        el.value = text;
        el.dispatchEvent(new window.Event('input', { bubbles: true }));
        el.dispatchEvent(new window.KeyboardEvent('keyup', keyInit));
        el.dispatchEvent(new window.Event('change', { bubbles: true }));
        break;
      }
      case 'select': {
        const el = this.one(selector, 'choose from');
        el.value = String(arg);
        el.dispatchEvent(new window.Event('input', { bubbles: true }));
        el.dispatchEvent(new window.Event('change', { bubbles: true }));
        break;
      }
      case 'key': {
        const el = this.one(selector, 'press a key in');
        const init = { key: String(arg), bubbles: true, cancelable: true };
        el.dispatchEvent(new window.KeyboardEvent('keydown', init));
        el.dispatchEvent(new window.KeyboardEvent('keyup', init));
        break;
      }
      case 'submit': {
        const el = this.one(selector, 'send');
        const form = el.tagName === 'FORM' ? el : el.form || el.closest('form');
        if (!form) throw new Error(`${selector} is not inside a form.`);
        form.requestSubmit();
        break;
      }
      case 'call': {
        // A function the page's script declared at its top level (function name() {...}),
        // called with plain data: the tests give it other data than the page's own.
        const name = String(selector);
        let fn;
        if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
          try {
            // A name as the page's scripts see it: function declarations and top-level const/let.
            fn = vm.runInContext(`typeof ${name} === 'function' ? ${name} : undefined`, window);
          } catch (err) {
            fn = undefined;
          }
        }
        if (typeof fn !== 'function') {
          let message = `Your script has no function called ${name}. Write it at the top level of the script: function ${name}(...) { ... }`;
          if (this.errors.length) message += ` (Your script stopped with an error first: ${this.errors[0]})`;
          throw new Error(clip(message, 480));
        }
        const args = Array.isArray(arg) ? arg : [];
        try {
          fn.apply(window, vm.runInContext('(json) => JSON.parse(json)', window)(JSON.stringify(args)));
        } catch (err) {
          this.addError(err);
          throw new Error(`${name}(...) stopped with an error: ${this.errors[this.errors.length - 1]}`);
        }
        break;
      }
      default:
        throw new Error(`unknown page action ${action}`);
    }
    const submitted = this.lastSubmit;
    let reloaded = false;
    if (submitted && !submitted.defaultPrevented) {
      // A browser sends the form and shows the page again, fresh: what the script did is gone.
      reloaded = true;
      this.reloads += 1;
      const kept = this.errors.slice();
      this.load();
      this.errors = kept.concat(this.errors);
    }
    return { reloaded, newErrors: this.errors.slice(errorsBefore) };
  }
}

function isVisible(el, window) {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    if (node.hidden) return false;
    const style = window.getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
  }
  return true;
}

function describeValue(value) {
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  if (typeof value.outerHTML === 'string') return clip(value.outerHTML, 200);
  try {
    return clip(JSON.stringify(value), 300);
  } catch (err) {
    return String(value);
  }
}

// ---- the Run key: print the page after its scripts ran -------------------------------------

function outline(el, depth, lines) {
  for (const child of el.children) {
    if (lines.length > 300) return;
    const tag = child.tagName.toLowerCase();
    if (tag === 'script' || tag === 'style' || tag === 'link' || tag === 'meta') continue;
    let label = `<${tag}`;
    if (child.id) label += ` id="${child.id}"`;
    if (child.classList.length) label += ` class="${[...child.classList].join(' ')}"`;
    for (const name of ['type', 'href', 'src', 'for', 'name']) {
      if (child.hasAttribute(name)) label += ` ${name}="${child.getAttribute(name)}"`;
    }
    if (child.hidden) label += ' hidden';
    label += '>';
    let own = '';
    for (const node of child.childNodes) if (node.nodeType === 3) own += node.textContent;
    own = squash(own);
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      if (child.type === 'checkbox' || child.type === 'radio') own = child.checked ? '[x]' : '[ ]';
      else own = `[${child.value || ''}]`;
    }
    lines.push(`${'  '.repeat(depth)}${label}${own ? ' ' + clip(own, 70) : ''}`);
    outline(child, depth + 1, lines);
  }
}

function main() {
  const args = process.argv.slice(2);
  const asHtml = args.includes('--html');
  const file = args.find((a) => !a.startsWith('--')) || 'index.html';
  let page;
  try {
    page = new Page(process.cwd(), file);
  } catch (err) {
    process.stderr.write(`${err && err.code === 'ENOENT' ? `There is no ${file} in this folder.` : err.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (asHtml) {
    // The page as HTML after its scripts ran (for a preview to render), without the styles
    // this runner copied in from the page's own stylesheets.
    for (const copied of page.document.querySelectorAll('style[data-slate-from]')) copied.remove();
    process.stdout.write(`<!DOCTYPE html>\n${page.document.documentElement.outerHTML}\n`);
    if (page.errors.length) process.stderr.write(page.errors.join('\n') + '\n');
    return;
  }
  const out = [];
  const title = squash(page.document.title);
  out.push(`Your page${title ? ` "${title}"` : ''} after its script ran:`, '');
  const lines = [];
  outline(page.document.body, 1, lines);
  out.push(...(lines.length ? lines : ['  (the page body is empty)']));
  if (page.logs.length) out.push('', 'What the script printed (console.log):', ...page.logs.map((l) => `  ${l}`));
  if (page.errors.length) out.push('', 'Errors:', ...page.errors.map((e) => `  ${e}`));
  process.stdout.write(out.join('\n') + '\n');
  if (page.errors.length) process.exitCode = 1;
}

module.exports = { Page, describeError };

if (require.main === module) main();
