// The data is the truth; render() draws the page from it.
const todos = [];
let filter = 'all';

const list = document.getElementById('todos');
const box = document.getElementById('todo-text');

function render() {
  list.innerHTML = '';
  todos.forEach((todo, index) => {
    const li = document.createElement('li');
    if (todo.done) li.classList.add('done');
    const hide = (filter === 'active' && todo.done) || (filter === 'done' && !todo.done);
    if (hide) li.style.display = 'none';
    const tick = document.createElement('input');
    tick.type = 'checkbox';
    tick.checked = todo.done;
    tick.dataset.index = index;
    const span = document.createElement('span');
    span.classList.add('text');
    span.textContent = todo.text;
    li.appendChild(tick);
    li.appendChild(span);
    list.appendChild(li);
  });
  const left = todos.filter((todo) => !todo.done).length;
  document.getElementById('left').textContent = left + ' left';
}

document.getElementById('new-todo').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = box.value.trim();
  if (!text) return;
  todos.push({ text: text, done: false });
  box.value = '';
  render();
});

list.addEventListener('click', (event) => {
  if (event.target.type === 'checkbox') {
    const todo = todos[Number(event.target.dataset.index)];
    todo.done = event.target.checked;
    render();
  }
});

document.getElementById('show-all').onclick = () => { filter = 'all'; render(); };
document.getElementById('show-active').onclick = () => { filter = 'active'; render(); };
document.getElementById('show-done').onclick = () => { filter = 'done'; render(); };

render();
