const PER_DAY = 20;
const MOST = 500;

function lateFee(daysLate) {
  if (daysLate <= 0) return 0;
  const fee = daysLate * PER_DAY;
  if (fee > MOST) {
    return MOST;
  }
  return fee;
}

module.exports = { lateFee };
