// 1. Make a const called shopName here.
const shopName = "Corner Shop";

// 2. Make a let called items here, starting at 0.
let items = 0;

// 3. Add 2 to items, then add 1 more.
items = items + 2;
items = items + 1;

// 4. Print shopName, then items.
console.log(items);
console.log(shopName);
