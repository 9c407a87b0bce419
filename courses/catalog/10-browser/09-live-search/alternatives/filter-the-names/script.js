const search = document.querySelector('#search');
const items = [...document.querySelectorAll('#people li')];
const found = document.querySelector('#found');

const update = () => {
  const wanted = search.value.toLowerCase();
  const matches = items.filter((li) => li.textContent.toLowerCase().includes(wanted));
  items.forEach((li) => { li.hidden = !matches.includes(li); });
  found.textContent = `${matches.length} found`;
};

search.oninput = update;
search.onkeydown = (event) => {
  if (event.key !== 'Escape') return;
  search.value = '';
  update();
};
update();
