// The library's late fee, in pence: 20p a day, at most 500p.
function lateFee(daysLate) {
  if (daysLate <= 0) {
    return 0;
  }
  return Math.min(daysLate * 20, 500);
}

module.exports = { lateFee };
