SELECT nme, price FROM products WHERE price < 2;
