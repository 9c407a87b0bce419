const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

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

// The code of a file with comments blanked out (line numbers stay the same).
function code(file) {
  return fs.readFileSync(path.join(__dirname, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, '');
}

function lineOf(source, index) {
  return source.slice(0, index).split('\n').length;
}

function newList() {
  const { createShoppingList } = load('model.js', ['createShoppingList']);
  return createShoppingList();
}

function newController() {
  const { createController } = load('controller.js', ['createController']);
  const controller = createController(newList());
  assert.equal(typeof (controller && controller.addAndShow), 'function',
    'createController(list) should return an object with addAndShow(name, qty)');
  return controller;
}

// A fresh copy of the old tangled shop.js, so its shared list starts empty.
function oldShop() {
  delete require.cache[require.resolve('./shop.js')];
  return require('./shop.js');
}

test('the model stores the trimmed name and the quantity as a number', () => {
  const list = newList();
  list.add('  Bread ', '2');
  assert.deepEqual(list.items(), [{ name: 'Bread', qty: 2 }], "add('  Bread ', '2') should store { name: 'Bread', qty: 2 }");
});

test('the model throws the same messages as shop.js', () => {
  const list = newList();
  const before = list.items().length;
  function refuses(what, call, expected) {
    let thrown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    if (thrown === undefined) {
      assert.fail(`${what} should throw new Error("${expected}"), but the model took it`);
    }
    const said = thrown instanceof Error ? thrown.message : String(thrown);
    assert.ok(said === expected, `${what} threw "${said}"; it should throw new Error("${expected}"), the same words as shop.js (no HTML: that is the job of the view)`);
  }
  refuses('An empty name', () => list.add('   ', 1), 'Please give the item a name');
  for (const qty of ['0', '100', '1.5', 'lots']) {
    refuses(`A quantity of ${qty}`, () => list.add('Milk', qty), 'Quantity must be a whole number from 1 to 99');
  }
  assert.equal(list.items().length, before, 'Refused items should not be stored');
});

test('two shopping lists do not share their items', () => {
  const first = newList();
  const second = newList();
  first.add('Tea', 1);
  assert.deepEqual(second.items(), [], 'Keep the items inside createShoppingList, not outside it');
});

test('items() hands out a copy', () => {
  const list = newList();
  list.add('Tea', 1);
  list.items().push({ name: 'sneaky', qty: 5 });
  list.items()[0].qty = 50;
  assert.deepEqual(list.items(), [{ name: 'Tea', qty: 1 }], 'Changing what items() returns should not change the list');
});

test('the model has no HTML in it', () => {
  const source = code('model.js');
  const match = source.match(/<\/?[a-z]/i);
  if (match) {
    assert.fail(`Line ${lineOf(source, match.index)} of model.js has HTML. Throw an Error and let the view show it.`);
  }
});

test("listView gives '<ul><li>2 x Bread</li></ul>'", () => {
  const { listView } = load('view.js', ['listView']);
  const html = String(listView([{ name: 'Bread', qty: 2 }, { name: 'Eggs', qty: 12 }])).replace(/>\s+</g, '><').trim();
  assert.equal(html, '<ul><li>2 x Bread</li><li>12 x Eggs</li></ul>', 'listView should match the list shop.js made');
});

test('the view escapes names and messages', () => {
  const { listView, errorView } = load('view.js', ['listView', 'errorView']);
  const list = listView([{ name: '<b>Jam</b> & toast', qty: 1 }]);
  assert.ok(list.includes('1 x &lt;b&gt;Jam&lt;/b&gt; &amp; toast'), 'listView should escape the item name');
  assert.equal(errorView('Say "<no>"'), '<p class="error">Say &quot;&lt;no&gt;&quot;</p>', 'errorView should escape the message');
});

test('the view does not use the model', () => {
  const source = code('view.js');
  const match = source.match(/require\s*\(\s*["'`]\.\/model/);
  if (match) {
    assert.fail(`Line ${lineOf(source, match.index)} of view.js loads the model. A view only shows what it is given.`);
  }
});

test('the controller gives the same pages as shop.js for good input', () => {
  const controller = newController();
  const old = oldShop();
  for (const [name, qty] of [['Bread', '2'], ['Milk', '1'], ['Eggs', '12']]) {
    const tidy = (html) => String(html).replace(/>\s+</g, '><').trim();
    assert.equal(tidy(controller.addAndShow(name, qty)), tidy(old.addAndShow(name, qty)),
      `addAndShow('${name}', '${qty}') should give the same page as shop.js did`);
  }
});

test('the controller shows the model\'s error through the view', () => {
  const controller = newController();
  assert.equal(controller.addAndShow('Milk', '100'), '<p class="error">Quantity must be a whole number from 1 to 99</p>',
    "addAndShow('Milk', '100') should show the model's message with errorView");
  assert.equal(controller.addAndShow('', '1'), '<p class="error">Please give the item a name</p>',
    "addAndShow('', '1') should show the model's message with errorView");
});

test('the controller has no HTML in it and uses the view', () => {
  const source = code('controller.js');
  const match = source.match(/<\/?[a-z]/i);
  if (match) {
    assert.fail(`Line ${lineOf(source, match.index)} of controller.js has HTML. Let the view make it.`);
  }
  assert.match(source, /require\s*\(\s*["'`]\.\/view(\.js)?["'`]\s*\)/, 'controller.js should require("./view.js")');
});
