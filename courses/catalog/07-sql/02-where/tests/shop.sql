-- The corner shop's database. Three tables: products, customers and
-- orders. Read this file to see every column and every row.

CREATE TABLE products (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  category TEXT NOT NULL,
  price    REAL NOT NULL,   -- in pounds, e.g. 1.20
  stock    INTEGER NOT NULL -- how many are on the shelf
);

INSERT INTO products (id, name, category, price, stock) VALUES
  (1, 'Bread', 'bakery', 1.20, 30),
  (2, 'Croissant', 'bakery', 0.90, 24),
  (3, 'Milk', 'dairy', 0.95, 40),
  (4, 'Cheese', 'dairy', 3.50, 12),
  (5, 'Butter', 'dairy', 2.10, 18),
  (6, 'Apples', 'fruit', 1.80, 50),
  (7, 'Bananas', 'fruit', 1.10, 45),
  (8, 'Coffee', 'drinks', 4.75, 15),
  (9, 'Tea', 'drinks', 2.60, 22),
  (10, 'Orange juice', 'drinks', 2.25, 0),
  (11, 'Eggs', 'dairy', 2.00, 20);

CREATE TABLE customers (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  town TEXT NOT NULL
);

INSERT INTO customers (id, name, town) VALUES
  (1, 'Ann Lee', 'Leeds'),
  (2, 'Ben Ortiz', 'York'),
  (3, 'Chloe Park', 'Leeds'),
  (4, 'Dev Shah', 'Hull'),
  (5, 'Ella Novak', 'York');

CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  product_id  INTEGER NOT NULL REFERENCES products (id),
  quantity    INTEGER NOT NULL,
  day         TEXT NOT NULL   -- the date, written YYYY-MM-DD
);

INSERT INTO orders (id, customer_id, product_id, quantity, day) VALUES
  (1, 1, 1, 2, '2026-03-02'),
  (2, 1, 8, 1, '2026-03-02'),
  (3, 2, 3, 3, '2026-03-03'),
  (4, 3, 6, 6, '2026-03-03'),
  (5, 3, 4, 1, '2026-03-04'),
  (6, 4, 9, 2, '2026-03-05'),
  (7, 2, 1, 1, '2026-03-05'),
  (8, 5, 7, 4, '2026-03-06'),
  (9, 1, 3, 2, '2026-03-06');
