function sumTo(n) {
  // Use a for loop to add up 1, 2, 3 ... n
}

function countdown(n) {
  // Use a while loop to build "3 2 1 Go!" (for n = 3)
}

console.log(sumTo(4));
console.log(countdown(3));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { sumTo, countdown };
