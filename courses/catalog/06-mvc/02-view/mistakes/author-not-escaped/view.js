// The view: turns data into HTML text. It never changes the data.

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function bookListView(books) {
  if (books.length === 0) {
    return "<p>No books yet.</p>";
  }
  const items = books.map((book) => {
    const loan = book.onLoan ? " (on loan)" : "";
    return `  <li>${escapeHtml(book.title)} by ${book.author}${loan}</li>`;
  });
  return "<ul>\n" + items.join("\n") + "\n</ul>";
}

// Try it out: press Run.
if (require.main === module) {
  console.log(bookListView([
    { id: 1, title: "Small Island", author: "Andrea Levy", onLoan: false },
    { id: 2, title: "Matilda", author: "Roald Dahl", onLoan: true },
  ]));
  console.log(escapeHtml("<b>Fish & Chips</b>"));
}

module.exports = { escapeHtml, bookListView };
