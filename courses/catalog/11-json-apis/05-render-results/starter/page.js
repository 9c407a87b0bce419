// Turn the library's books into HTML for a web page.

// Makes text safe to put inside HTML: & < > become &amp; &lt; &gt;
function escapeHtml(text) {
  return String(text);
}

// <ul class="books"> with one <li>Title by Author (Year)</li> per
// book, or <p>No books yet.</p> when the list is empty.
function renderBooks(books) {
  return "";
}

// Asks GET {baseUrl}/books and gives back the HTML for the books, or
// <p class="error">The library is closed right now.</p> when that
// did not work.
async function booksPage(baseUrl) {
  return "";
}

module.exports = { escapeHtml, renderBooks, booksPage };
