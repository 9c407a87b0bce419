function parseAge(text) {
  // Turn text into a number. Throw an Error if it is not a whole
  // number from 0 to 150. Otherwise return it.
}

function safeParseAge(text) {
  // Call parseAge inside try. In catch, return null.
}

console.log(safeParseAge("42"));
console.log(safeParseAge("old"));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { parseAge, safeParseAge };
