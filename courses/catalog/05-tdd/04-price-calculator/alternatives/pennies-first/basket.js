function basketTotal(items) {
  let pennies = 0;
  for (let i = 0; i < items.length; i++) {
    pennies += Math.round(items[i].price * 100) * items[i].quantity;
  }
  if (pennies >= 5000) {
    pennies = Math.round(pennies * 0.9);
  }
  return pennies / 100;
}

module.exports = { basketTotal };
