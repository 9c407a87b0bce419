function escapeHtml(text) {
  return String(text)
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")
    .replaceAll("&", "&amp;");
}

module.exports = { escapeHtml };
