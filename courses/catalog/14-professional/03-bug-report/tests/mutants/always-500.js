function lateFee(daysLate) {
  if (daysLate <= 0) {
    return 0;
  }
  return 500;
}
module.exports = { lateFee };
