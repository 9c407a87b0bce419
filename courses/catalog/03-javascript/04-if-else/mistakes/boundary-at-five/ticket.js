function ticketPrice(age) {
  if (age <= 5) {
    return 0;
  } else if (age < 18) {
    return 5;
  } else if (age >= 65) {
    return 6;
  } else {
    return 10;
  }
}

console.log(ticketPrice(3));
console.log(ticketPrice(30));

// This line shares your function with the tests. Leave it as it is.
module.exports = { ticketPrice };
