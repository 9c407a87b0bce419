const search = document.querySelector('#search');
const people = document.querySelectorAll('#people li');
const found = document.querySelector('#found');

function escapeText(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function update() {
  const pattern = new RegExp(escapeText(search.value.trim()), 'i');
  let shown = 0;
  people.forEach((person) => {
    const match = pattern.test(person.textContent);
    person.toggleAttribute('hidden', !match);
    shown += match ? 1 : 0;
  });
  found.textContent = `${shown} found`;
}

search.addEventListener('input', update);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && event.target === search) {
    search.value = '';
    search.dispatchEvent(new Event('input'));
  }
});
update();
