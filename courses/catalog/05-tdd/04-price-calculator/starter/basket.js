// basketTotal(items) gives the price of a basket, in pounds.
// Read the specification in the lesson. Write the tests first!
function basketTotal(items) {
  return 0;
}

module.exports = { basketTotal };
