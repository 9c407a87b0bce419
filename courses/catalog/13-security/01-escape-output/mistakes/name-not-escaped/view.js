// The comments board: turns data into HTML text.
const { escapeHtml } = require("./escape.js");

// One <li> per comment: <li><strong>Ada</strong>: Nice!</li>
function renderComments(comments) {
  if (comments.length === 0) {
    return "<p>No comments yet.</p>";
  }
  const items = comments.map((comment) => {
    const name = comment.name;
    const text = escapeHtml(comment.text);
    return `<li><strong>${name}</strong>: ${text}</li>`;
  });
  return `<ul>${items.join("")}</ul>`;
}

// The search box, showing what was searched for last time.
function renderSearch(query) {
  return `<input name="q" value="${escapeHtml(query)}">`;
}

module.exports = { renderComments, renderSearch };
