// The library's search page: the reader types some words, and the
// page shows the books whose titles match.

const BROKEN = '<p class="error">Search is not working right now.</p>';

// Makes text safe to put inside HTML (you wrote this before).
function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

// The address of a search: {baseUrl}/search?q=WORDS, with the
// words encoded so that spaces, & and ? arrive as they were typed.
function searchUrl(baseUrl, words) {
  return `${baseUrl}/search?q=${encodeURIComponent(words)}`;
}

function renderResults(words, books) {
  if (books.length === 0) {
    return `<p>No books match: ${escapeHtml(words)}</p>`;
  }
  const items = books.map((book) =>
    `<li>${escapeHtml(book.title)} by ${escapeHtml(book.author)}</li>`);
  return `<ul class="results">${items.join("")}</ul>`;
}

// Asks the server (never waiting more than 2 seconds) and gives back
// the HTML for the page:
// - <ul class="results"> with <li>Title by Author</li> for each book
// - <p>No books match: WORDS</p> when the list is empty
// - BROKEN when anything goes wrong
async function searchPage(baseUrl, words) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const response = await fetch(searchUrl(baseUrl, words), {
      signal: controller.signal,
    });
    if (!response.ok) {
      return BROKEN;
    }
    const books = await response.json();
    return renderResults(words, books);
  } catch (error) {
    return BROKEN;
  } finally {
    clearTimeout(timer);
  }
}

module.exports = { escapeHtml, searchUrl, searchPage, BROKEN };
