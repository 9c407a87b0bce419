// The controller: takes a request, asks the model, picks a view.
// It keeps no data and writes no HTML of its own.
const { bookListView, errorView } = require("./view.js");

function createController(library) {
  return {
    handle(request) {
      // Look at request.action and return { status, body }.
      return { status: 500, body: "" };
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
