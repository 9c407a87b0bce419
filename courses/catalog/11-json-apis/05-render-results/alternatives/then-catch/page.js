// Turn the library's books into HTML for a web page.

const CLOSED = '<p class="error">The library is closed right now.</p>';

// Makes text safe to put inside HTML: & < > become &amp; &lt; &gt;
function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

// <ul class="books"> with one <li>Title by Author (Year)</li> per
// book, or <p>No books yet.</p> when the list is empty.
function renderBooks(books) {
  if (books.length === 0) {
    return "<p>No books yet.</p>";
  }
  const items = books.map((book) =>
    `<li>${escapeHtml(book.title)} by ${escapeHtml(book.author)}` +
    ` (${escapeHtml(book.year)})</li>`);
  return `<ul class="books">${items.join("")}</ul>`;
}

// Asks GET {baseUrl}/books and gives back the HTML for the books, or
// <p class="error">The library is closed right now.</p> when that
// did not work.
function booksPage(baseUrl) {
  return fetch(`${baseUrl}/books`)
    .then((response) => (response.ok ? response.json().then(renderBooks) : CLOSED))
    .catch(() => CLOSED);
}

module.exports = { escapeHtml, renderBooks, booksPage };
