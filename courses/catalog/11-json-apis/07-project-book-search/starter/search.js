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
  // your code here
}

// Asks the server (never waiting more than 2 seconds) and gives back
// the HTML for the page:
// - <ul class="results"> with <li>Title by Author</li> for each book
// - <p>No books match: WORDS</p> when the list is empty
// - BROKEN when anything goes wrong
async function searchPage(baseUrl, words) {
  // your code here
}

module.exports = { escapeHtml, searchUrl, searchPage, BROKEN };
