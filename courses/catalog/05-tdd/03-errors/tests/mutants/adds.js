// withdraw(balance, amount) gives the balance left after taking
// out the amount. It throws an error when the amount is not more
// than zero, or when there is not enough money.
function withdraw(balance, amount) {
  if (amount <= 0) {
    throw new Error('The amount must be more than zero');
  }
  if (amount > balance) {
    throw new Error('Not enough money');
  }
  return balance + amount;
}

module.exports = { withdraw };
