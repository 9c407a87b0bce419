// The guestbook's controller: a request in, a response out.
const { pageView, notFoundView } = require("./view.js");

function createController(book) {
  return {
    handle(request) {
      // GET / -> 200 page. POST /sign -> 303 or 400. Else 404.
      return { status: 500, headers: {}, body: "" };
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
