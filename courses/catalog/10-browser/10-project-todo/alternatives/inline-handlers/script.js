// The handlers are named in index.html (onsubmit, onclick, onchange).
let filter = 'all';

function update() {
  const items = document.querySelectorAll('#todos li');
  let left = 0;
  items.forEach((li) => {
    const done = li.classList.contains('done');
    if (!done) left++;
    li.hidden = filter === 'active' ? done : filter === 'done' ? !done : false;
  });
  document.querySelector('#left').textContent = left + ' left';
}

function addFromForm() {
  const box = document.querySelector('#todo-text');
  const text = box.value.trim();
  if (text === '') return;
  const li = document.createElement('li');
  li.innerHTML = '<input type="checkbox"> <span class="text"></span>';
  li.querySelector('.text').textContent = text;
  document.querySelector('#todos').append(li);
  box.value = '';
  update();
}

function ticked(box) {
  box.parentElement.classList.toggle('done', box.checked);
  update();
}

function show(which) {
  filter = which;
  update();
}

update();
