const shelf = [
  { title: 'Things Fall Apart', author: 'Chinua Achebe', pages: 209 },
  { title: 'Middlemarch', author: 'George Eliot', pages: 880 },
  { title: 'The Old Man and the Sea', author: 'Ernest Hemingway', pages: 127 },
];

const list = document.querySelector('#books');
const total = document.querySelector('#total');

// Show every book in the array it is given:
// - empty #books first, so nothing old is left;
// - one <li> per book that says "Middlemarch by George Eliot";
// - a book with more than 300 pages gets the class long;
// - #total says how many books there are: "3 books".
function renderBooks(books) {
  list.textContent = '';
  for (const book of books) {
    const li = document.createElement('li');
    li.textContent = `${book.title} by ${book.author}`;
    if (book.pages > 300) {
      li.classList.add('long');
    }
    list.append(li);
  }
  total.textContent = `${books.length} books`;
}

renderBooks(shelf);
