// The guestbook's controller from the MVC course (read-only).
// A request in: { method, path, form }. A response out:
// { status, headers, body }. It knows nothing about http or SQLite.
const { pageView, notFoundView } = require("./view.js");

const HTML = { "Content-Type": "text/html; charset=utf-8" };

function createController(book) {
  return {
    handle(request) {
      const form = request.form || {};
      if (request.method === "GET" && request.path === "/") {
        return { status: 200, headers: HTML, body: pageView(book.entries()) };
      }
      if (request.method === "POST" && request.path === "/sign") {
        try {
          book.sign(form.name, form.message);
          return { status: 303, headers: { Location: "/" }, body: "" };
        } catch (error) {
          const body = pageView(book.entries(), error.message);
          return { status: 400, headers: HTML, body: body };
        }
      }
      return { status: 404, headers: HTML, body: notFoundView() };
    },
  };
}

module.exports = { createController };
