// Ask the library server for its books.
// baseUrl is the server's address, for example http://127.0.0.1:4000

// Gives back an array of the titles of all the books,
// from GET {baseUrl}/books
async function getTitles(baseUrl) {
  const response = await fetch(`${baseUrl}/books`);
  const books = await response.json();
  return books;
}

// Gives back one book (an object), from GET {baseUrl}/books/{id}
async function getBook(baseUrl, id) {
  const response = await fetch(`${baseUrl}/books/${id}`);
  const book = await response.json();
  return book;
}

module.exports = { getTitles, getBook };
