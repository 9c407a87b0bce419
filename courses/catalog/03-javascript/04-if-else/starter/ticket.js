function ticketPrice(age) {
  // Use if, else if and else to return the right price.
}

console.log(ticketPrice(3));
console.log(ticketPrice(30));

// This line shares your function with the tests. Leave it as it is.
module.exports = { ticketPrice };
