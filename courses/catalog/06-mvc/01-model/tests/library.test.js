const test = require('node:test');
const assert = require('node:assert/strict');

function newLibrary() {
  let mod;
  try {
    mod = require('./library.js');
  } catch (err) {
    assert.fail(`library.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createLibrary, 'function', 'library.js should export createLibrary');
  return mod.createLibrary();
}

// A library with two books, the second one on loan.
function stocked() {
  const library = newLibrary();
  library.addBook('Small Island', 'Andrea Levy');
  library.addBook('Matilda', 'Roald Dahl');
  return library;
}

test("addBook returns { id: 1, title, author, onLoan: false }", () => {
  const library = newLibrary();
  const book = library.addBook('Small Island', 'Andrea Levy');
  assert.deepEqual(
    book,
    { id: 1, title: 'Small Island', author: 'Andrea Levy', onLoan: false },
    'addBook should return the new book with id 1',
  );
});

test('addBook trims spaces and gives each book the next id', () => {
  const library = newLibrary();
  library.addBook('Small Island', 'Andrea Levy');
  const book = library.addBook('  Matilda ', ' Roald Dahl  ');
  assert.equal(book && book.id, 2, 'The second book should get id 2');
  assert.equal(book.title, 'Matilda', 'The title should be trimmed');
  assert.equal(book.author, 'Roald Dahl', 'The author should be trimmed');
});

test('addBook refuses an empty title or author', () => {
  const library = newLibrary();
  assert.throws(() => library.addBook('  ', 'Someone'), { message: 'A book needs a title' },
    'addBook with an empty title should throw "A book needs a title"');
  assert.throws(() => library.addBook('A Title', ''), { message: 'A book needs an author' },
    'addBook with an empty author should throw "A book needs an author"');
  assert.deepEqual(library.all(), [], 'A refused book should not be added');
});

test('all() lists every book in the order added', () => {
  const titles = stocked().all().map((book) => book.title);
  assert.deepEqual(titles, ['Small Island', 'Matilda'], 'all() should list both books, oldest first');
});

test('lend(id) takes a book out of available()', () => {
  const library = stocked();
  library.lend(2);
  const titles = library.available().map((book) => book.title);
  assert.deepEqual(titles, ['Small Island'], 'After lend(2), only book 1 should be available');
  const onLoan = library.all().map((book) => book.onLoan);
  assert.deepEqual(onLoan, [false, true], 'After lend(2), book 2 should have onLoan: true');
});

test('a book on loan cannot be lent again', () => {
  const library = stocked();
  library.lend(1);
  assert.throws(() => library.lend(1), { message: 'That book is already on loan' },
    'Lending a book twice should throw "That book is already on loan"');
});

test('giveBack(id) makes the book available again', () => {
  const library = stocked();
  library.lend(1);
  library.giveBack(1);
  assert.equal(library.available().length, 2, 'After giveBack(1) both books should be available');
  assert.throws(() => library.giveBack(1), { message: 'That book is not on loan' },
    'Giving back a book that is not on loan should throw "That book is not on loan"');
});

test('an unknown id throws "No book with id 9"', () => {
  const library = stocked();
  assert.throws(() => library.lend(9), { message: 'No book with id 9' }, 'lend(9) should throw "No book with id 9"');
  assert.throws(() => library.giveBack(9), { message: 'No book with id 9' }, 'giveBack(9) should throw "No book with id 9"');
});

test('the model hands out copies, so outside code cannot break its rules', () => {
  const library = stocked();
  library.all()[0].onLoan = true;
  library.available()[0].title = 'Changed';
  const book = library.all()[0];
  assert.equal(book.onLoan, false, 'Changing a book from all() should not change the library');
  assert.equal(book.title, 'Small Island', 'Changing a book from available() should not change the library');
});

test('the model never prints anything', () => {
  const printed = [];
  const original = console.log;
  console.log = (...args) => printed.push(args.join(' '));
  try {
    const library = stocked();
    library.lend(1);
    library.giveBack(1);
    library.all();
    library.available();
    try {
      library.lend(42);
    } catch {
      // expected: an unknown id throws
    }
  } finally {
    console.log = original;
  }
  assert.deepEqual(printed, [], 'The model should not use console.log: it returns values instead');
});
