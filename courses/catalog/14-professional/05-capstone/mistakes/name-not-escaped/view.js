// The views: data in, HTML text out. Every value is escaped.
function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function layout(content) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Lost property</title></head>
<body>
<h1>Lost property</h1>
${content}
</body>
</html>`;
}

function form(what, place) {
  return `<form method="post" action="/report">
<label>What was found? <input name="what" value="${escapeHtml(what)}"></label>
<label>Where? <input name="place" value="${escapeHtml(place)}"></label>
<button>Hand it in</button>
</form>`;
}

// The board: the form, then every item, newest first.
function boardView(items) {
  if (items.length === 0) {
    return layout(form("", "") + "<p>Nothing handed in yet.</p>");
  }
  const list = items.map((item) =>
    `<li><strong>${escapeHtml(item.what)}</strong> found in ` +
    `${item.place}</li>`);
  return layout(form("", "") + `<ul>${list.join("")}</ul>`);
}

// The form again, with the problem above it and what was typed kept.
function errorView(message, what, place) {
  return layout(`<p class="error">${escapeHtml(message)}</p>` +
    form(what, place));
}

module.exports = { escapeHtml, boardView, errorView };
