SELECT name, price FROM products ORDER BY 2 DESC LIMIT 3;
