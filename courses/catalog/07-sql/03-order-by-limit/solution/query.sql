SELECT name, price
FROM products
ORDER BY price DESC
LIMIT 3;
