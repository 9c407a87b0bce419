// The controller: connects a request to the model and the view.
const { listView, errorView } = require("./view.js");

function createController(list) {
  return {
    addAndShow(name, qty) {
      try {
        list.add(name, qty);
        return listView(list.items());
      } catch (error) {
        return "<p class=\"error\">" + error.message + "</p>";
      }
    },
  };
}

// Try it out: press Run.
if (require.main === module) {
  const { createShoppingList } = require("./model.js");
  const controller = createController(createShoppingList());
  console.log(controller.addAndShow("Bread", "2"));
  console.log(controller.addAndShow("Milk", "100"));
  console.log(controller.addAndShow("Fish & Chips", "1"));
}

module.exports = { createController };
