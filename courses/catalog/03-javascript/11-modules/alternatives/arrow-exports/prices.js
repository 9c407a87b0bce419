// Prices are kept in pence.
const formatPrice = (pence) => (pence / 100).toFixed(2);
const addVat = (pence) => Math.round(pence * 1.2);
module.exports = { formatPrice: formatPrice, addVat: addVat };
