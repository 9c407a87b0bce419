// A to-do list. Read todo.test.js to see exactly what each part must do.

function createTodoList() {
  // Keep the to-dos and the next id here, inside createTodoList.

  return {
    add(text) {
      // Add a to-do and return it as { id, text, done }.
    },
    complete(id) {
      // Mark the to-do with this id as done.
    },
    remove(id) {
      // Take the to-do with this id out of the list.
    },
    all() {
      // Return a copy of the list.
      return [];
    },
    remaining() {
      // How many to-dos are not done?
      return 0;
    },
    summary() {
      // Text like "2 of 3 to do".
    },
  };
}

module.exports = { createTodoList };
