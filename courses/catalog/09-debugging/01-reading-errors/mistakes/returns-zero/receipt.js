// A till receipt: adds up the prices and prints the total.

function total(prices) {
  let sum = 0;
  for (const price of prices) {
    sum = sum + price;
  }
  return 0;
}

console.log("Total:", total([1.2, 0.85, 2]));

// This line shares your function with the tests. Leave it as it is.
module.exports = { total };
