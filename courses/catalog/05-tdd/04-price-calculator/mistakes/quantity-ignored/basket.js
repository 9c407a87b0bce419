function basketTotal(items) {
  let total = 0;
  for (const item of items) {
    total += item.price;
  }
  if (total >= 50) {
    total = total * 0.9;
  }
  return Math.round(total * 100) / 100;
}

module.exports = { basketTotal };
