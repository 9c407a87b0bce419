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
  const items = lessons.map((lesson) => {
    const time = escapeHtml(lesson.time);
    return `  <li>${time} ${escapeHtml(lesson.subject)}</li>`;
  });
  return page("Today", `<h1>Today</h1>
<ul>
${items.join("\n")}
</ul>`);
}

function helloView(name) {
  return page("Hello", `<h1>Hello, ${name}!</h1>`);
}

module.exports = { escapeHtml, page, timetableView, helloView };
