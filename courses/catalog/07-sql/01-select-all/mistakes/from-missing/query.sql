SELECT *
products;
