SELECT name, price FROM products ORDER BY price LIMIT 3;
