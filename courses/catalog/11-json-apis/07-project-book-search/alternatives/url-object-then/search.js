const BROKEN = '<p class="error">Search is not working right now.</p>';

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function searchUrl(baseUrl, words) {
  const url = new URL(baseUrl + "/search");
  url.searchParams.set("q", words);
  return url.href;
}

function searchPage(baseUrl, words) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  return fetch(searchUrl(baseUrl, words), { signal: controller.signal })
    .then((response) => {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    })
    .then((books) => books.length
      ? "<ul class='results'>" + books.map((b) => `<li>${escapeHtml(b.title)} by ${escapeHtml(b.author)}</li>`).join("") + "</ul>"
      : `<p>No books match: ${escapeHtml(words)}</p>`)
    .catch(() => BROKEN)
    .finally(() => clearTimeout(timer));
}

module.exports = { escapeHtml, searchUrl, searchPage, BROKEN };
