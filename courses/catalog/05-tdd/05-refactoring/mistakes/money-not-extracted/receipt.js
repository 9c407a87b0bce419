function receipt(items) {
  let text = '';
  let total = 0;
  for (const item of items) {
    const cost = item.price * item.qty;
    total += cost;
    text += `${item.name} x${item.qty}: ${(Math.round(cost * 100) / 100).toFixed(2)}\n`;
  }
  return `${text}TOTAL: ${(Math.round(total * 100) / 100).toFixed(2)}`;
}

module.exports = { receipt };
