const { formatPrice, addVat } = require("./prices.js");

function receiptLine(item, pence) {
  return item + ": " + formatPrice(pence);
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

module.exports = { receiptLine };
