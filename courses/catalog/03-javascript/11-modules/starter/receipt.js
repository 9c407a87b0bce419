// 2. Require formatPrice and addVat from "./prices.js" here.

function receiptLine(item, pence) {
  return item + ": " + formatPrice(addVat(pence));
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

// 3. Export receiptLine here.
