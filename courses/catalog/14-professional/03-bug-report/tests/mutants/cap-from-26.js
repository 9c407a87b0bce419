function lateFee(daysLate) {
  if (daysLate <= 0) {
    return 0;
  }
  if (daysLate > 26) {
    return 500;
  }
  return daysLate * 20;
}
module.exports = { lateFee };
