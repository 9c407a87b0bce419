function createTodoList() {
  const items = new Map();
  let count = 0;
  const get = (id) => {
    if (!items.has(id)) throw new Error(`No to-do with id ${id}`);
    return items.get(id);
  };
  const list = {
    add: (text) => {
      const t = `${text}`.trim();
      if (t.length === 0) throw new Error('A to-do needs some text');
      count++;
      items.set(count, { id: count, text: t, done: false });
      return { ...items.get(count) };
    },
    complete: (id) => { get(id).done = true; },
    remove: (id) => { get(id); items.delete(id); },
    all: () => [...items.values()].map((i) => ({ ...i })),
    remaining: () => [...items.values()].filter((i) => !i.done).length,
    summary: () => `${list.remaining()} of ${items.size} to do`,
  };
  return list;
}

module.exports = { createTodoList };
