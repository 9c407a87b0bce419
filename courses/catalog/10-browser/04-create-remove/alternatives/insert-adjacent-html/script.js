const list = document.querySelector('#shopping');

list.insertAdjacentHTML('beforeend', '<li>Eggs</li>');
list.insertAdjacentHTML('beforeend', '<li>Rice</li>');

document.querySelectorAll('.old').forEach((item) => item.remove());

document.querySelector('#info').innerHTML = '<p>2 things added</p>';
