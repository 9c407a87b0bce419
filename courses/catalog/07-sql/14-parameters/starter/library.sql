-- A small library database for Run (try.js builds it in /tmp).
CREATE TABLE members (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  wing TEXT NOT NULL
);
INSERT INTO members (id, name, wing) VALUES
  (1, 'Ade Bello', 'A'),
  (2, 'Carl Dunne', 'B');

CREATE TABLE books (
  id     INTEGER PRIMARY KEY,
  title  TEXT NOT NULL,
  author TEXT NOT NULL,
  year   INTEGER
);
INSERT INTO books (id, title, author, year) VALUES
  (1, 'Hard Times', 'Charles Dickens', 1854),
  (2, 'Great Expectations', 'Charles Dickens', 1861),
  (3, 'The Third Policeman', 'Flann O''Brien', 1967),
  (4, 'Cannery Row', 'John Steinbeck', 1945),
  (5, 'Beloved', 'Toni Morrison', 1987);
