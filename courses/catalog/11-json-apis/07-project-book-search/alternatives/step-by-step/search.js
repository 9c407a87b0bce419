const BROKEN = '<p class="error">Search is not working right now.</p>';

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

function searchUrl(baseUrl, words) {
  return baseUrl + "/search?q=" + encodeURIComponent(words);
}

function listItem(book) {
  return "<li>" + escapeHtml(book.title) + " by " + escapeHtml(book.author) + "</li>";
}

async function searchPage(baseUrl, words) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  let response;
  try {
    response = await fetch(searchUrl(baseUrl, words), { signal: controller.signal });
  } catch (error) {
    clearTimeout(timer);
    return BROKEN;
  }
  if (response.status !== 200) {
    clearTimeout(timer);
    return BROKEN;
  }
  let books;
  try {
    books = await response.json();
  } catch (error) {
    return BROKEN;
  } finally {
    clearTimeout(timer);
  }
  if (books.length === 0) {
    return `<p>No books match: ${escapeHtml(words)}</p>`;
  }
  return `<ul class="results">${books.map(listItem).join("")}</ul>`;
}

module.exports = { escapeHtml, searchUrl, searchPage, BROKEN };
