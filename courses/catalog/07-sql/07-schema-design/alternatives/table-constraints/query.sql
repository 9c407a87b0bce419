CREATE TABLE members (
  id INTEGER,
  customer_id INTEGER NOT NULL,
  card_number TEXT NOT NULL,
  points INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE (customer_id),
  UNIQUE (card_number),
  FOREIGN KEY (customer_id) REFERENCES customers (id),
  CHECK (points >= 0)
);
