// receipt(items) gives the text of a till receipt: one line per
// item, then the total.
function money(amount) {
  return String(Math.round(amount * 100) / 100);
}

function receipt(items) {
  let text = '';
  let total = 0;
  for (const item of items) {
    const cost = item.price * item.qty;
    total += cost;
    text += `${item.name} x${item.qty}: ${money(cost)}\n`;
  }
  return `${text}TOTAL: ${money(total)}`;
}

module.exports = { receipt };
