const list = document.querySelector('#shopping');
const newThings = ['Eggs', 'Rice'];

for (const thing of newThings) {
  const li = document.createElement('li');
  li.innerText = thing;
  list.appendChild(li);
}

const old = list.querySelector('li.old');
list.removeChild(old);

const info = document.getElementById('info');
const p = document.createElement('p');
p.textContent = `${newThings.length} things added`;
info.appendChild(p);
