class TodoList {
  constructor() {
    this.items = [];
    this.lastId = 0;
  }
  add(text) {
    const clean = String(text).trim();
    if (!clean) throw new Error('A to-do needs some text');
    this.lastId += 1;
    const item = { id: this.lastId, text: clean, done: false };
    this.items.push(item);
    return { ...item };
  }
  find(id) {
    const item = this.items.find((i) => i.id === id);
    if (!item) throw new Error(`No to-do with id ${id}`);
    return item;
  }
  complete(id) {
    this.find(id).done = true;
  }
  remove(id) {
    this.find(id);
    this.items = this.items.filter((i) => i.id !== id);
  }
  all() {
    return this.items.map((i) => Object.assign({}, i));
  }
  remaining() {
    return this.items.filter((i) => !i.done).length;
  }
  summary() {
    return this.remaining() + ' of ' + this.items.length + ' to do';
  }
}

function createTodoList() {
  return new TodoList();
}

module.exports = { createTodoList };
