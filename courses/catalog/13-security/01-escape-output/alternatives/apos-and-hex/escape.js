function escapeHtml(text) {
  return `${text}`
    .split("&").join("&amp;")
    .split("<").join("&lt;")
    .split(">").join("&gt;")
    .split('"').join("&#x22;")
    .split("'").join("&apos;");
}

module.exports = { escapeHtml };
