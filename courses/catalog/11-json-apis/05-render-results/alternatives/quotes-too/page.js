function escapeHtml(text) {
  return String(text)
    .split("&").join("&amp;")
    .split("<").join("&lt;")
    .split(">").join("&gt;")
    .split('"').join("&quot;")
    .split("'").join("&#39;");
}

function renderBooks(books) {
  if (books.length === 0) {
    return "<p>No books yet.</p>";
  }
  return "<ul class='books'>" +
    books.map((b) => "<li>" + escapeHtml(b.title) + " by " + escapeHtml(b.author) + " (" + b.year + ")</li>").join("") +
    "</ul>";
}

async function booksPage(baseUrl) {
  try {
    const response = await fetch(baseUrl + "/books");
    if (!response.ok) throw new Error("status " + response.status);
    return renderBooks(await response.json());
  } catch (error) {
    return "<p class='error'>The library is closed right now.</p>";
  }
}

module.exports = { escapeHtml, renderBooks, booksPage };
