const shopName = 'Corner Shop'
let items = 0
items = items + 2
items++
console.log(shopName)
console.log(items)
