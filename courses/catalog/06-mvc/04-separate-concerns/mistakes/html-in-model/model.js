// The model: the shopping list's data and rules. No HTML here.

function createShoppingList() {
  const items = [];

  return {
    add(name, qty) {
      const cleanName = String(name).trim();
      if (cleanName === "") {
        throw new Error('<p class="error">Please give the item a name</p>');
      }
      const count = Number(qty);
      if (!Number.isInteger(count) || count < 1 || count > 99) {
        throw new Error("Quantity must be a whole number from 1 to 99");
      }
      const item = { name: cleanName, qty: count };
      items.push(item);
      return { ...item };
    },
    items() {
      return items.map((item) => ({ ...item }));
    },
  };
}

module.exports = { createShoppingList };
