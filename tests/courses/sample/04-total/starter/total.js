function total(numbers) {
  var sum = 0;
  return sum;
}
module.exports = { total };
