// The corner shop's price board.

function cheapest(items) {
  if (items === []) {
    return null;
  }
  let best = items[0];
  for (const item of items) {
    if (item.price < best.price) {
      best = item;
    }
  }
  return best.name;
}

function board(items) {
  const name = cheapest(items);
  if (name === null) {
    return "Nothing for sale today.";
  }
  return "Cheapest today: " + name;
}

console.log(board([
  { name: "bread", price: 1.2 },
  { name: "milk", price: 0.9 },
]));
console.log(board([]));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { cheapest, board };
