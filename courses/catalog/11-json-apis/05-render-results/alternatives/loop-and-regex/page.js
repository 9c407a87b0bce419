const SAFE = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

function escapeHtml(text) {
  return String(text).replace(/[&<>]/g, (ch) => SAFE[ch]);
}

function renderBooks(books) {
  if (!books.length) return "<p>No books yet.</p>";
  let html = '<ul class="books">\n';
  for (const book of books) {
    const title = escapeHtml(book.title);
    const author = escapeHtml(book.author);
    html += `  <li>${title} by ${author} (${book.year})</li>\n`;
  }
  html += "</ul>\n";
  return html;
}

async function booksPage(baseUrl) {
  let response;
  try {
    response = await fetch(`${baseUrl}/books`);
  } catch (error) {
    return '<p class="error">The library is closed right now.</p>';
  }
  if (response.status !== 200) {
    return '<p class="error">The library is closed right now.</p>';
  }
  return renderBooks(await response.json());
}

module.exports = { escapeHtml, renderBooks, booksPage };
