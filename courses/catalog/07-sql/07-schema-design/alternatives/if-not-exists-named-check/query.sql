CREATE TABLE IF NOT EXISTS members (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL UNIQUE REFERENCES customers,
  card_number TEXT NOT NULL UNIQUE,
  points INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT points_not_negative CHECK (0 <= points)
);
