// The view: how the list looks. It never changes or asks for data.

function escapeHtml(text) {
  // Swap & < > " ' for their safe spellings (& first).
  return String(text);
}

function listView(items) {
  // <ul><li>2 x Bread</li> ... </ul>, with every value escaped.
  return "";
}

function errorView(message) {
  // <p class="error">message</p>, escaped.
  return "";
}

module.exports = { escapeHtml, listView, errorView };
