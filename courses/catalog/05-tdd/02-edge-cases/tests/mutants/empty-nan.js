// average(numbers) gives the average (mean) of a list of numbers.
// The average of an empty list is 0.
function average(numbers) {
  let sum = 0;
  for (const n of numbers) {
    sum += n;
  }
  return sum / numbers.length;
}

module.exports = { average };
