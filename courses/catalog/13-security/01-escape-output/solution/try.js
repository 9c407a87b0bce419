// Press Run: this shows the HTML your view makes for some friendly
// and some hostile comments.
const { escapeHtml } = require("./escape.js");
const { renderComments, renderSearch } = require("./view.js");

console.log(escapeHtml("Fish & chips <3"));
console.log("");
console.log(renderComments([
  { name: "Ada", text: "See you on Monday!" },
  { name: "Eve", text: "<script>alert('got you')</script>" },
  { name: "<b>Mal</b>", text: "<img src=x onerror=alert(1)>" },
]));
console.log("");
console.log(renderSearch('cake" autofocus onfocus="alert(1)'));
