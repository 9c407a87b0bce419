CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL UNIQUE REFERENCES customers (id),
  card_number TEXT NOT NULL,
  points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0)
);
