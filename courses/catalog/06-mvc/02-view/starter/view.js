// The view: turns data into HTML text. It never changes the data.

function escapeHtml(text) {
  // Swap & < > " ' for their safe spellings. Do & first!
  return String(text);
}

function bookListView(books) {
  // One <li>Title by Author</li> per book inside <ul> ... </ul>.
  // Add " (on loan)" for books on loan. Escape every value.
  // No books? Return <p>No books yet.</p>
  return "";
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
