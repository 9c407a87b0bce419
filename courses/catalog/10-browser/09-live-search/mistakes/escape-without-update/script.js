const search = document.querySelector('#search');
const people = document.querySelectorAll('#people li');
const found = document.querySelector('#found');

// 1. Write update(): show only the names that contain what is typed
//    in #search (small or capital letters both count), hide the
//    others, and write how many are shown in #found: "3 found".
function update() {
  const wanted = search.value.trim().toLowerCase();
  let shown = 0;
  for (const person of people) {
    const match = person.textContent.toLowerCase().includes(wanted);
    person.hidden = !match;
    if (match) {
      shown = shown + 1;
    }
  }
  found.textContent = `${shown} found`;
}

// 2. Run update() once now, and every time the text in #search changes.
update();
search.addEventListener('input', update);

// 3. Pressing Escape in #search empties it and shows everyone again.
search.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    search.value = '';
  }
});
