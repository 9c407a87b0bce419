class ShoppingList {
  #items = [];

  add(name, qty) {
    const cleanName = `${name}`.trim();
    if (!cleanName) throw new Error('Please give the item a name');
    const count = +qty;
    if (!Number.isInteger(count) || count < 1 || count > 99) {
      throw new Error('Quantity must be a whole number from 1 to 99');
    }
    this.#items.push({ name: cleanName, qty: count });
    return { name: cleanName, qty: count };
  }

  items() {
    return this.#items.map((item) => Object.assign({}, item));
  }
}

function createShoppingList() {
  return new ShoppingList();
}

module.exports = { createShoppingList };
