function sumTo(n) {
  let total = 0;
  for (let i = 1; i <= n; i++) {
    total = total + i;
  }
  return total;
}

function countdown(n) {
  let text = "";
  let i = n;
  while (i > 0) {
    text += `${i} `;
    i -= 1;
  }
  return text + "Go!";
}

console.log(sumTo(4));
console.log(countdown(3));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { sumTo, countdown };
