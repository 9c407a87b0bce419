const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createLibrary } = require('./library.js');
const { bookListView, errorView } = require('./view.js');

// A controller over a library that already holds two books.
function setUp() {
  let mod;
  try {
    mod = require('./controller.js');
  } catch (err) {
    assert.fail(`controller.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createController, 'function', 'controller.js should export createController');
  const library = createLibrary();
  library.addBook('Small Island', 'Andrea Levy');
  library.addBook('Matilda', 'Roald Dahl');
  const controller = mod.createController(library);
  assert.equal(typeof (controller && controller.handle), 'function',
    'createController should return an object with a handle(request) method');
  return { controller, library };
}

function expectResponse(response, status, body, what) {
  assert.ok(response && typeof response === 'object', `${what}: handle should return { status, body }`);
  assert.equal(response.status, status, `${what}: the status should be ${status}`);
  assert.equal(response.body, body, `${what}: the body is not the view the lesson asks for`);
}

test("the 'list' action gives 200 and the list of books", () => {
  const { controller, library } = setUp();
  const response = controller.handle({ action: 'list', params: {} });
  expectResponse(response, 200, bookListView(library.all()), 'list');
});

test("the 'add' action adds the book and gives 201", () => {
  const { controller, library } = setUp();
  const response = controller.handle({ action: 'add', params: { title: 'Beloved', author: 'Toni Morrison' } });
  const titles = library.all().map((book) => book.title);
  assert.deepEqual(titles, ['Small Island', 'Matilda', 'Beloved'], "'add' should call library.addBook with the title and author");
  expectResponse(response, 201, bookListView(library.all()), 'add');
});

test("the 'lend' action lends the book with that id", () => {
  const { controller, library } = setUp();
  const response = controller.handle({ action: 'lend', params: { id: '2' } });
  assert.equal(library.all()[1].onLoan, true, "'lend' with id '2' should lend book 2: use Number(params.id)");
  expectResponse(response, 200, bookListView(library.all()), 'lend');
});

test("the 'return' action gives the book back", () => {
  const { controller, library } = setUp();
  library.lend(1);
  const response = controller.handle({ action: 'return', params: { id: '1' } });
  assert.equal(library.all()[0].onLoan, false, "'return' with id '1' should call library.giveBack(1)");
  expectResponse(response, 200, bookListView(library.all()), 'return');
});

test("when the model says no, the answer is 400 with the model's message", () => {
  const { controller } = setUp();
  controller.handle({ action: 'lend', params: { id: '1' } });
  let again;
  try {
    again = controller.handle({ action: 'lend', params: { id: '1' } });
  } catch (error) {
    assert.fail(`Lending book 1 twice made handle() stop with the model's error "${error.message}". `
      + 'Catch it (try ... catch) and answer 400 with errorView(error.message).');
  }
  expectResponse(again, 400, errorView('That book is already on loan'), 'lending twice');
  const empty = controller.handle({ action: 'add', params: { title: '', author: 'Nobody' } });
  expectResponse(empty, 400, errorView('A book needs a title'), 'adding a book with no title');
});

test('an unknown action gives 404', () => {
  const { controller } = setUp();
  const response = controller.handle({ action: 'burn', params: {} });
  expectResponse(response, 404, errorView('Unknown action: burn'), 'the action burn');
});

test('the controller writes no HTML of its own', () => {
  const source = fs.readFileSync(path.join(__dirname, 'controller.js'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
  const match = source.match(/<\/?[a-z]/i);
  if (match) {
    const line = source.slice(0, match.index).split('\n').length;
    assert.fail(`Line ${line} of controller.js has HTML in it. Let the view make the HTML.`);
  }
});
