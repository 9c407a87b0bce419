// The pages for this exercise (read-only). Every value is escaped.

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

function formPage(error) {
  const errorHtml = error
    ? `<p class="error">${escapeHtml(error)}</p>\n`
    : "";
  return page("Sign in", `<h1>Welcome</h1>
${errorHtml}<form method="post" action="/sign">
  <label for="name">Your name</label>
  <input id="name" name="name">
  <button>Sign in</button>
</form>`);
}

function thanksPage(name) {
  return page("Thank you", `<h1>Thank you, ${escapeHtml(name)}!</h1>`);
}

module.exports = { escapeHtml, page, formPage, thanksPage };
