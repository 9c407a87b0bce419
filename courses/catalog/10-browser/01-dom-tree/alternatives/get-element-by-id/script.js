let fruit = document.getElementById('fruit');
let here = document.getElementById('here');

document.getElementById('count').textContent = String(fruit.childElementCount);
document.getElementById('first').innerHTML = fruit.children[0].innerHTML;
here.parentNode.parentNode.className = 'found';
