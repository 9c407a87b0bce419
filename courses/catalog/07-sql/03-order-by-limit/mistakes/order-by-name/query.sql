SELECT name, price FROM products ORDER BY name DESC LIMIT 3;
