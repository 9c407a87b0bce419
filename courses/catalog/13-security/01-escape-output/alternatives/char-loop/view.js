const { escapeHtml } = require("./escape.js");

function renderComments(comments) {
  if (comments.length === 0) {
    return "<p>No comments yet.</p>";
  }
  let html = "<ul>\n";
  for (const { name, text } of comments) {
    html += "  <li><strong>" + escapeHtml(name) + "</strong>: " +
      escapeHtml(text) + "</li>\n";
  }
  return html + "</ul>";
}

function renderSearch(query) {
  return '<input name="q" value="' + escapeHtml(query) + '" />';
}

module.exports = { renderComments, renderSearch };
