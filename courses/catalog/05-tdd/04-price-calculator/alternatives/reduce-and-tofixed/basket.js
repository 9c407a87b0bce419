const basketTotal = (items) => {
  const sum = items.reduce((acc, { price, quantity }) => acc + price * quantity, 0);
  const due = sum >= 50 ? sum * 0.9 : sum;
  return Number(due.toFixed(2));
};

module.exports = { basketTotal };
