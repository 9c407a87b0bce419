const search = document.getElementById('search');
const found = document.getElementById('found');

function update() {
  const typed = search.value.toUpperCase();
  let count = 0;
  document.querySelectorAll('#people li').forEach((li) => {
    if (li.innerText.toUpperCase().indexOf(typed) !== -1) {
      li.style.display = '';
      count++;
    } else {
      li.style.display = 'none';
    }
  });
  found.innerText = count + ' found';
}

search.addEventListener('keyup', (event) => {
  if (event.key === 'Escape') search.value = '';
  update();
});
update();
