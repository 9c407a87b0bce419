const prices = require('./prices');
const formatPrice = prices.formatPrice;
const addVat = prices.addVat;

function receiptLine(item, pence) {
  return item + ": " + formatPrice(addVat(pence));
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

module.exports = { receiptLine };
