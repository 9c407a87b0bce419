// The library's late fee, in pence: 20p a day, at most 500p.
function lateFee(daysLate) {
  return daysLate > 0 ? Math.min(20 * daysLate, 500) : 0;
}

module.exports = { lateFee };
