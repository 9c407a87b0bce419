function formatPrice(pence) {
  return (pence / 100).toFixed(2);
}
function addVat(pence) {
  return Math.round(pence * 1.2);
}

function receiptLine(item, pence) {
  return item + ": " + formatPrice(addVat(pence));
}

console.log(receiptLine("Tea", 250));
console.log(receiptLine("Toast", 150));

module.exports = { receiptLine };
