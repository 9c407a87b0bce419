// The view: how the list looks. It never changes or asks for data.

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function listView(items) {
  const rows = items.map((item) => {
    return `<li>${escapeHtml(item.qty)} x ${item.name}</li>`;
  });
  return "<ul>" + rows.join("") + "</ul>";
}

function errorView(message) {
  return `<p class="error">${escapeHtml(message)}</p>`;
}

module.exports = { escapeHtml, listView, errorView };
