// The model: the shopping list's data and rules. No HTML here.

function createShoppingList() {
  return {
    add(name, qty) {
      // The rules from shop.js, but throw new Error("...") instead of
      // returning HTML. Store the trimmed name and qty as a number.
    },
    items() {
      // Return a copy of the items.
      return [];
    },
  };
}

module.exports = { createShoppingList };
