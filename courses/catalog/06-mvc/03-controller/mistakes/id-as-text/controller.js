// The controller: takes a request, asks the model, picks a view.
// It keeps no data and writes no HTML of its own.
const { bookListView, errorView } = require("./view.js");

function createController(library) {
  function list(status) {
    return { status: status, body: bookListView(library.all()) };
  }

  return {
    handle(request) {
      const action = request.action;
      const params = request.params || {};
      try {
        if (action === "list") {
          return list(200);
        } else if (action === "add") {
          library.addBook(params.title, params.author);
          return list(201);
        } else if (action === "lend") {
          library.lend(params.id);
          return list(200);
        } else if (action === "return") {
          library.giveBack(params.id);
          return list(200);
        }
        return { status: 404, body: errorView("Unknown action: " + action) };
      } catch (error) {
        return { status: 400, body: errorView(error.message) };
      }
    },
  };
}

// Try it out: press Run.
if (require.main === module) {
  const { createLibrary } = require("./library.js");
  const controller = createController(createLibrary());
  const request = { action: "add", params: { title: "Matilda", author: "Roald Dahl" } };
  console.log(controller.handle(request));
  console.log(controller.handle({ action: "lend", params: { id: "1" } }));
  console.log(controller.handle({ action: "lend", params: { id: "1" } }));
}

module.exports = { createController };
