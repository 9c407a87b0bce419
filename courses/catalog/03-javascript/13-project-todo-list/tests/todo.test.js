// The tests for your to-do list. Read them: each one says what todo.js must do.
// Press Run to run them all.
const test = require('node:test');
const assert = require('node:assert/strict');

function newList() {
  let mod;
  try {
    mod = require('./todo.js');
  } catch (err) {
    assert.fail(`todo.js could not run: ${err.message}`);
  }
  assert.equal(typeof mod.createTodoList, 'function', 'todo.js should export createTodoList');
  return mod.createTodoList();
}

test('a new list is empty', () => {
  const list = newList();
  assert.deepEqual(list.all(), [], 'all() on a new list should return []');
  assert.equal(list.remaining(), 0, 'remaining() on a new list should return 0');
});

test("add('Buy milk') returns { id: 1, text: 'Buy milk', done: false }", () => {
  const list = newList();
  const item = list.add('Buy milk');
  assert.deepEqual(item, { id: 1, text: 'Buy milk', done: false }, 'add should return the new to-do');
});

test('ids go up by one: 1, 2, 3', () => {
  const list = newList();
  const ids = [list.add('a'), list.add('b'), list.add('c')].map((item) => item && item.id);
  assert.deepEqual(ids, [1, 2, 3], 'The first to-do has id 1, the next 2, then 3');
});

test('add trims spaces from the text', () => {
  const list = newList();
  const item = list.add('   Phone the library  ');
  assert.equal(item && item.text, 'Phone the library', 'add should trim the spaces around the text');
});

test('add with empty text throws an error', () => {
  const list = newList();
  for (const text of ['', '    ']) {
    assert.throws(
      () => list.add(text),
      { message: 'A to-do needs some text' },
      `add(${JSON.stringify(text)}) should throw new Error("A to-do needs some text")`,
    );
  }
});

test('all() lists the to-dos oldest first', () => {
  const list = newList();
  list.add('Wash up');
  list.add('Read a chapter');
  const texts = list.all().map((item) => item.text);
  assert.deepEqual(texts, ['Wash up', 'Read a chapter'], 'all() should keep the order they were added');
});

test('all() returns a copy, so changing it does not change the list', () => {
  const list = newList();
  list.add('Write a letter');
  list.all().push({ id: 99, text: 'sneaky', done: false });
  assert.equal(list.all().length, 1, 'Pushing onto what all() returned should not add a to-do');
});

test('complete(id) marks one to-do as done', () => {
  const list = newList();
  list.add('Wash up');
  list.add('Read a chapter');
  list.complete(2);
  const done = list.all().map((item) => item.done);
  assert.deepEqual(done, [false, true], 'complete(2) should set done to true on the second to-do only');
  assert.equal(list.remaining(), 1, 'After completing one of two, remaining() should be 1');
});

test('remove(id) takes a to-do out of the list', () => {
  const list = newList();
  list.add('one');
  list.add('two');
  list.add('three');
  list.remove(2);
  const texts = list.all().map((item) => item.text);
  assert.deepEqual(texts, ['one', 'three'], 'remove(2) should take out the to-do with id 2');
});

test('ids are not reused after a remove', () => {
  const list = newList();
  list.add('one');
  list.remove(1);
  const item = list.add('two');
  assert.equal(item && item.id, 2, 'After removing id 1, the next to-do should still get id 2');
  // remove one in the middle, then add twice: every id stays different
  list.add('three');
  list.add('four');
  list.remove(3);
  const five = list.add('five');
  const six = list.add('six');
  assert.equal(five && five.id, 5, 'After ids 1 to 4, the next to-do should get id 5');
  assert.equal(six && six.id, 6, 'The one after that should get id 6');
  const ids = list.all().map((each) => each.id);
  assert.equal(new Set(ids).size, ids.length, `Two to-dos share an id: ${ids.join(', ')}`);
});

test('complete and remove throw for an unknown id', () => {
  const list = newList();
  list.add('one');
  assert.throws(() => list.complete(7), { message: 'No to-do with id 7' }, 'complete(7) should throw "No to-do with id 7"');
  assert.throws(() => list.remove(7), { message: 'No to-do with id 7' }, 'remove(7) should throw "No to-do with id 7"');
});

test("summary() says '2 of 3 to do'", () => {
  const list = newList();
  list.add('one');
  list.add('two');
  list.add('three');
  list.complete(1);
  assert.equal(list.summary(), '2 of 3 to do', "With 3 to-dos and 1 done, summary() should be '2 of 3 to do'");
});
