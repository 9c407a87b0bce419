SELECT products.* FROM products;
