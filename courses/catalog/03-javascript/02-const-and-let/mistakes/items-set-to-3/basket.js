// 1. Make a const called shopName here.
const shopName = "Corner Shop";

// 2. Make a let called items here, starting at 0.
let items = 3;

// 3. Add 2 to items, then add 1 more.

// 4. Print shopName, then items.
console.log(shopName);
console.log(items);
