function addItem(list, item) {
  list.push(item);
  return list;
}

function lastItem(list) {
  return list.at(-1);
}

function total(prices) {
  let sum = 0;
  for (const price of prices) {
    sum += price;
  }
  return sum;
}

const basket = ["bread", "milk"];
console.log(addItem(basket, "eggs"));
console.log(lastItem(basket));
console.log(total([2, 3, 5]));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { addItem, lastItem, total };
