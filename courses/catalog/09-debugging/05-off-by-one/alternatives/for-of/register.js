// The class register: number the names, and add up the money paid.

function numbered(names) {
  const lines = [];
  let number = 1;
  for (const name of names) {
    lines.push(`${number}. ${name}`);
    number++;
  }
  return lines;
}

function totalPaid(payments) {
  let total = 0;
  for (const payment of payments) {
    total += payment;
  }
  return total;
}

console.log(numbered(["Ana", "Ben", "Cal"]));
console.log(totalPaid([5, 10, 20]));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { numbered, totalPaid };
