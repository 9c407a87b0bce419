const form = document.querySelector('#new-todo');
const box = document.querySelector('#todo-text');
const list = document.querySelector('#todos');
const left = document.querySelector('#left');

let filter = 'all';

// Count what is left, and show or hide each to-do for the filter.
function update() {
  let notDone = 0;
  for (const li of list.children) {
    const done = li.classList.contains('done');
    if (!done) {
      notDone = notDone + 1;
    }
    if ((filter === 'active' && done) || (filter === 'done' && !done)) {
      li.style.display = 'none';
    }
  }
  left.textContent = `${notDone} left`;
}

function addTodo(text) {
  const li = document.createElement('li');
  const tick = document.createElement('input');
  tick.type = 'checkbox';
  const span = document.createElement('span');
  span.className = 'text';
  span.textContent = text;
  li.append(tick, span);
  list.append(li);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = box.value.trim();
  if (text !== '') {
    addTodo(text);
    box.value = '';
    update();
  }
});

// One listener for every checkbox, even those added later.
list.addEventListener('change', (event) => {
  if (event.target.matches('input[type="checkbox"]')) {
    event.target.closest('li').classList.toggle('done', event.target.checked);
    update();
  }
});

for (const name of ['all', 'active', 'done']) {
  document.querySelector(`#show-${name}`).addEventListener('click', () => {
    filter = name;
    update();
  });
}

update();
