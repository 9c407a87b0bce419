SELECT name, price FROM products LIMIT 3 ORDER BY price DESC;
