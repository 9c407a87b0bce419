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
  let html = "<ul>\n";
  for (const item of items) {
    html += "  <li>" + escapeHtml(item.qty) + " x " + escapeHtml(item.name) + "</li>\n";
  }
  return html + "</ul>";
}

function errorView(message) {
  return `<p class="error">${escapeHtml(message)}</p>`;
}

module.exports = { escapeHtml, listView, errorView };
