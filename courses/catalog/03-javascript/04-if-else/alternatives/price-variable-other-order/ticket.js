function ticketPrice(age) {
  let price;
  if (age >= 65) {
    price = 6;
  } else if (age >= 18) {
    price = 10;
  } else if (age >= 5) {
    price = 5;
  } else {
    price = 0;
  }
  return price;
}

console.log(ticketPrice(70));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { ticketPrice };
