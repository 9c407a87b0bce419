// The guestbook's controller: a request in, a response out.
const { pageView, notFoundView } = require("./view.js");

const HTML = { "Content-Type": "text/html; charset=utf-8" };

function createController(book) {
  return {
    handle(request) {
      const form = request.form || {};
      const route = `${request.method} ${request.path}`;
      if (route === "GET /") {
        return { status: 200, headers: HTML, body: pageView(book.entries()) };
      }
      if (route === "POST /sign") {
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

// Try it out: press Run.
if (require.main === module) {
  const { createGuestbook } = require("./model.js");
  const controller = createController(createGuestbook());
  const form = { name: "Ada", message: "Hello from the guestbook!" };
  console.log(controller.handle({ method: "POST", path: "/sign", form }));
  console.log(controller.handle({ method: "GET", path: "/", form: {} }));
}

module.exports = { createController };
