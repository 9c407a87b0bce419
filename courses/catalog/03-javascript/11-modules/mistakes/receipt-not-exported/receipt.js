const { formatPrice, addVat } = require("./prices.js");

function receiptLine(item, pence) {
  return item + ": " + formatPrice(addVat(pence));
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

