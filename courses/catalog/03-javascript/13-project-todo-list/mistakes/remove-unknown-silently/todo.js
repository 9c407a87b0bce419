// A to-do list. Read todo.test.js to see exactly what each part must do.

function createTodoList() {
  const items = [];
  let nextId = 1;

  function find(id) {
    const item = items.find((each) => each.id === id);
    if (item === undefined) {
      throw new Error(`No to-do with id ${id}`);
    }
    return item;
  }

  return {
    add(text) {
      const clean = String(text).trim();
      if (clean === "") {
        throw new Error("A to-do needs some text");
      }
      const item = { id: nextId, text: clean, done: false };
      nextId = nextId + 1;
      items.push(item);
      return item;
    },
    complete(id) {
      find(id).done = true;
    },
    remove(id) {
      const at = items.findIndex((each) => each.id === id);
      items.splice(at, 1);
    },
    all() {
      return items.map((item) => ({ ...item }));
    },
    remaining() {
      return items.filter((item) => !item.done).length;
    },
    summary() {
      return `${this.remaining()} of ${items.length} to do`;
    },
  };
}

module.exports = { createTodoList };
