const money = (amount) => (Math.round(amount * 100) / 100).toFixed(2);

const receipt = (items) => {
  const lines = items.map((item) => `${item.name} x${item.qty}: ${money(item.price * item.qty)}`);
  const total = items.reduce((sum, item) => sum + item.price * item.qty, 0);
  return [...lines, `TOTAL: ${money(total)}`].join('\n');
};

module.exports = { receipt };
