const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

const OTHER = [
  { title: 'Beloved', author: 'Toni Morrison', pages: 324 },
  { title: 'Animal Farm', author: 'George Orwell', pages: 112 },
];

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('the page shows the three books on the shelf', () => {
  const page = openPage();
  assert.deepEqual(page.texts('#books > li'), [
    'Things Fall Apart by Chinua Achebe',
    'Middlemarch by George Eliot',
    'The Old Man and the Sea by Ernest Hemingway',
  ], 'Each book should be one <li> inside #books that says: title by author.');
  assert.equal(page.text('#total'), '3 books', `#total says "${page.text('#total')}".`);
});

test('renderBooks shows any list of books it is given', () => {
  const page = openPage();
  page.call('renderBooks', OTHER);
  const shown = page.texts('#books > li');
  assert.ok(shown.includes('Beloved by Toni Morrison') && shown.includes('Animal Farm by George Orwell'),
    'renderBooks([...]) with two other books should show those books. Use the books parameter, not shelf.');
});

test('renderBooks empties the list first, so old books do not stay', () => {
  const page = openPage();
  page.call('renderBooks', OTHER);
  assert.equal(page.count('#books > li'), 2,
    `After renderBooks with 2 books the list has ${page.count('#books > li')} items. Empty #books at the start of renderBooks.`);
  assert.equal(page.text('#total'), '2 books');
});

test('only books over 300 pages get the class long', () => {
  const page = openPage();
  page.call('renderBooks', OTHER.concat([{ title: 'Short Stories', author: 'Anon', pages: 300 }]));
  assert.deepEqual(page.texts('#books > li.long'), ['Beloved by Toni Morrison'],
    'Only a book with MORE than 300 pages gets the class long (300 itself is not more).');
});

test('an empty shelf shows no books and 0 books', () => {
  const page = openPage();
  page.call('renderBooks', []);
  assert.equal(page.count('#books > li'), 0, 'renderBooks([]) should leave #books empty.');
  assert.equal(page.text('#total'), '0 books', `#total says "${page.text('#total')}".`);
});
