const addItem = (list, item) => {
  list.push(item);
  return list;
};
const lastItem = (list) => list[list.length - 1];
const total = (prices) => prices.reduce((a, b) => a + b, 0);

// This line shares your functions with the tests. Leave it as it is.
module.exports = { addItem, lastItem, total };
