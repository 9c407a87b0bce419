SELECT name, price FROM products WHERE price < 2 OR stock > 0;
