SELECT * FROM products;
SELECT * FROM products LIMIT 1;
