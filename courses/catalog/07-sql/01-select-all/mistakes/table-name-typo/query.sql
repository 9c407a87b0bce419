SELECT * FROM product;
