const jobs = document.querySelector('#jobs');
const box = document.querySelector('#job');

function watch(button) {
  button.addEventListener('click', () => {
    const done = button.closest('li').classList.toggle('finished');
    button.textContent = done ? 'Undo' : 'Done';
  });
}

document.querySelectorAll('#jobs .done').forEach(watch);

function addJob(text) {
  const li = document.createElement('li');
  li.textContent = `${text} `;
  const button = document.createElement('button');
  button.className = 'done';
  button.textContent = 'Done';
  watch(button);
  li.append(button);
  jobs.append(li);
}

document.querySelector('#add').addEventListener('click', () => {
  if (box.value.trim() !== '') {
    addJob(box.value.trim());
    box.value = '';
  }
});
