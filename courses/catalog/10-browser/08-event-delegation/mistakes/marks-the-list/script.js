const jobs = document.querySelector('#jobs');
const box = document.querySelector('#job');

// This part is done for you: Add puts a new job, with its own
// Done button, at the end of the list.
function addJob(text) {
  const li = document.createElement('li');
  li.textContent = `${text} `;
  const button = document.createElement('button');
  button.className = 'done';
  button.textContent = 'Done';
  li.append(button);
  jobs.append(li);
}

document.querySelector('#add').addEventListener('click', () => {
  if (box.value.trim() !== '') {
    addJob(box.value.trim());
    box.value = '';
  }
});

// Your part: ONE click listener on the whole list (jobs).
// When a Done button is clicked:
// - its job (the <li> around it) gets the class finished,
//   or loses it if it had it;
// - the button says Undo when the job is finished, Done when not.
// A click anywhere else in the list does nothing.
jobs.addEventListener('click', (event) => {
  const button = event.target;
  if (!button.matches('.done')) {
    return;
  }
  const job = jobs;
  job.classList.toggle('finished');
  button.textContent = job.classList.contains('finished') ? 'Undo' : 'Done';
});
