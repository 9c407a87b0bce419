INSERT INTO products (name, category, price, stock) VALUES ('Honey', 'pantry', 3.20);
UPDATE products SET price = 1.30 WHERE name = 'Bread';
DELETE FROM products WHERE name = 'Orange juice';
