const CODES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (letter) => CODES[letter]);
}

module.exports = { escapeHtml };
