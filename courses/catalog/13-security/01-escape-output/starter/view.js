// The comments board: turns data into HTML text.
const { escapeHtml } = require("./escape.js");

// One <li> per comment: <li><strong>Ada</strong>: Nice!</li>
function renderComments(comments) {
  if (comments.length === 0) {
    return "<p>No comments yet.</p>";
  }
  const items = comments.map((comment) => {
    // TODO: nothing here is escaped yet.
    return `<li><strong>${comment.name}</strong>: ${comment.text}</li>`;
  });
  return `<ul>${items.join("")}</ul>`;
}

// The search box, showing what was searched for last time.
function renderSearch(query) {
  // TODO: escape the query too.
  return `<input name="q" value="${query}">`;
}

module.exports = { renderComments, renderSearch };
