// The guestbook's views: whole HTML pages, every value escaped.

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function layout(title, content) {
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

function entryList(entries) {
  if (entries.length === 0) {
    return "<p>No entries yet. Be the first!</p>";
  }
  const items = entries.map((entry) => {
    const name = escapeHtml(entry.name);
    return `  <li><strong>${name}</strong>: ${escapeHtml(entry.message)}</li>`;
  });
  return `<ul class="entries">\n${items.join("\n")}\n</ul>`;
}

function pageView(entries, error) {
  const errorHtml = error
    ? `<p class="error">${escapeHtml(error)}</p>\n`
    : "";
  return layout("Guestbook", `<h1>Guestbook</h1>
${errorHtml}<FORM ACTION=./sign METHOD=POST>
  <label>Name <input name=name maxlength=40></label>
  <label>Message <textarea name='message'></textarea></label>
  <input type="submit" value="Sign">
</FORM>
${entryList(entries)}`);
}

function notFoundView() {
  return layout("Not found", `<h1>Not found</h1>
<p>There is no page here. <a href="/">Back to the guestbook</a></p>`);
}

module.exports = { escapeHtml, pageView, notFoundView };
