CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL UNIQUE REFERENCES customers (id),
  card_number INTEGER NOT NULL UNIQUE,
  points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0)
);
