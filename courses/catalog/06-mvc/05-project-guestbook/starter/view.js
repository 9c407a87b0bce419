// The guestbook's views: whole HTML pages, every value escaped.

function escapeHtml(text) {
  return String(text);
}

function pageView(entries, error) {
  // The whole page: title, h1, error (if any), the form, the entries.
  return "";
}

function notFoundView() {
  return "";
}

module.exports = { escapeHtml, pageView, notFoundView };
