SELECT name, price
FROM products
WHERE price < 2.00
ORDER BY name;
