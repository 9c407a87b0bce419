function doubled(numbers) {
  // Use numbers.map( ... )
}

function passing(scores) {
  // Use scores.filter( ... )
}

function sum(numbers) {
  // Use numbers.reduce( ... , 0)
}

console.log(doubled([1, 2, 3]));
console.log(passing([30, 50, 80]));
console.log(sum([1, 2, 3]));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { doubled, passing, sum };
