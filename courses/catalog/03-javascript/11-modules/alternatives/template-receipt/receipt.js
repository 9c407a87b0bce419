const { formatPrice, addVat } = require("./prices.js");

function receiptLine(item, pence) {
  const withVat = addVat(pence);
  return `${item}: ${formatPrice(withVat)}`;
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

module.exports = { receiptLine };
