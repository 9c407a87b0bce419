const { bookListView, errorView } = require("./view.js");

function createController(library) {
  const actions = {
    list: () => 200,
    add: (p) => {
      library.addBook(p.title, p.author);
      return 201;
    },
    lend: (p) => {
      library.lend(+p.id);
      return 200;
    },
    return: (p) => {
      library.giveBack(+p.id);
      return 200;
    },
  };

  return {
    handle({ action, params = {} }) {
      if (!Object.hasOwn(actions, action)) {
        return { status: 404, body: errorView("Unknown action: " + action) };
      }
      try {
        const status = actions[action](params);
        return { status, body: bookListView(library.all()) };
      } catch (e) {
        return { status: 400, body: errorView(e.message) };
      }
    },
  };
}

module.exports = { createController };
