// The library's late fee, in pence: 20p a day, at most 500p.
function lateFee(daysLate) {
  if (daysLate <= 0) {
    return 0;
  }
  if (daysLate > 30) {
    return 500;
  }
  return daysLate * 20;
}

module.exports = { lateFee };
