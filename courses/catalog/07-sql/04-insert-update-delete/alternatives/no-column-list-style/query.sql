INSERT INTO products (stock, price, category, name) VALUES (10, 3.2, 'pantry', 'Honey');
UPDATE products SET price = 1.3 WHERE name = 'Bread';
DELETE FROM products WHERE name = 'Orange juice';
SELECT * FROM products;
