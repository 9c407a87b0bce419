INSERT INTO products (name, category, price, stock)
VALUES ('Honey', 'pantry', 3.20, 10);
UPDATE products SET price = 1.30 WHERE id = (SELECT id FROM products WHERE name = 'Bread');
DELETE FROM products WHERE name LIKE 'Orange juice';
