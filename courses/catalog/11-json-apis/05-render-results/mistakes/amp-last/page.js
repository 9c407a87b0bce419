// Turn the library's books into HTML for a web page.

const CLOSED = '<p class="error">The library is closed right now.</p>';

// Makes text safe to put inside HTML: & < > become &amp; &lt; &gt;
function escapeHtml(text) {
  return String(text)
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("&", "&amp;");
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
async function booksPage(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/books`);
    if (!response.ok) {
      return CLOSED;
    }
    const books = await response.json();
    return renderBooks(books);
  } catch (error) {
    return CLOSED;
  }
}

module.exports = { escapeHtml, renderBooks, booksPage };
