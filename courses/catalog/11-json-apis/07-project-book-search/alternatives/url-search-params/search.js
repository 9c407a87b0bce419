const BROKEN = '<p class="error">Search is not working right now.</p>';

function escapeHtml(text) {
  return String(text).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

function searchUrl(baseUrl, words) {
  const query = new URLSearchParams({ q: words });
  return baseUrl + "/search?" + query.toString();
}

async function searchPage(baseUrl, words) {
  let books;
  try {
    const response = await fetch(searchUrl(baseUrl, words), {
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return BROKEN;
    books = await response.json();
  } catch {
    return BROKEN;
  }
  if (books.length === 0) {
    return "<p>No books match: " + escapeHtml(words) + "</p>";
  }
  let html = '<ul class="results">\n';
  for (const book of books) {
    html += "  <li>" + escapeHtml(book.title) + " by " + escapeHtml(book.author) + "</li>\n";
  }
  return html + "</ul>\n";
}

module.exports = { escapeHtml, searchUrl, searchPage, BROKEN };
