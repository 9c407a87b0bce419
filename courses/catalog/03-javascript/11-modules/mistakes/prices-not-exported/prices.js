// Prices are kept in pence, so 250 means 2 pounds 50.

function formatPrice(pence) {
  return (pence / 100).toFixed(2);
}

function addVat(pence) {
  return Math.round(pence * 1.2);
}


