SELECT name, price FROM products ORDER BY price DESC LIMIT 3 OFFSET 0;
