function money(amount) {
  return (Math.round(amount * 100) / 100).toFixed(2);
}

function line(item) {
  return item.name + ' x' + item.qty + ': ' + money(item.price * item.qty) + '\n';
}

function receipt(items) {
  let text = '';
  let total = 0;
  for (const item of items) {
    text += line(item);
    total += item.price * item.qty;
  }
  return text + 'TOTAL: ' + money(total);
}

module.exports = { receipt, money };
