// The views: whole HTML pages, every value escaped.

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function page(title, content) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
</head>
<body>
${content}
</body>
</html>`;
}

function timetableView(lessons) {
  // page("Today", ...) with <h1>Today</h1> and a <ul> of
  // <li>09:00 English</li> items.
  return "";
}

function helloView(name) {
  // page("Hello", ...) with <h1>Hello, Sam!</h1>
  return "";
}

module.exports = { escapeHtml, page, timetableView, helloView };
