SELECT "name", "price" FROM "products" WHERE "price" < 2;
