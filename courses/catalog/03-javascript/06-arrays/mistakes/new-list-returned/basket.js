function addItem(list, item) {
  return [...list, item];
}

function lastItem(list) {
  return list[list.length - 1];
}

function total(prices) {
  let sum = 0;
  for (let i = 0; i < prices.length; i++) {
    sum = sum + prices[i];
  }
  return sum;
}

const basket = ["bread", "milk"];
console.log(addItem(basket, "eggs"));
console.log(lastItem(basket));
console.log(total([2, 3, 5]));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { addItem, lastItem, total };
