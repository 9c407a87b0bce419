-- The library's database. Three tables: members, books and loans.
-- Read this file to see every column and every row.

CREATE TABLE members (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL,
  wing  TEXT NOT NULL,
  phone TEXT             -- an extension number; NULL when none
);

INSERT INTO members (id, name, wing, phone) VALUES
  (1, 'Ade Bello', 'A', '201'),
  (2, 'Bruno Costa', 'A', NULL),
  (3, 'Carl Dunne', 'B', '305'),
  (4, 'Dan Evans', 'B', NULL),
  (5, 'Eli Fox', 'C', '412'),
  (6, 'Femi Gray', 'C', NULL);

CREATE TABLE books (
  id     INTEGER PRIMARY KEY,
  title  TEXT NOT NULL,
  author TEXT NOT NULL,
  year   INTEGER,          -- NULL when nobody knows
  pages  INTEGER NOT NULL
);

INSERT INTO books (id, title, author, year, pages) VALUES
  (1, 'Small Island', 'Andrea Levy', 2004, 441),
  (2, 'The Long Song', 'Andrea Levy', 2010, 311),
  (3, 'Hard Times', 'Charles Dickens', 1854, 300),
  (4, 'Great Expectations', 'Charles Dickens', 1861, 505),
  (5, 'Oliver Twist', 'Charles Dickens', 1838, 554),
  (6, 'Beloved', 'Toni Morrison', 1987, 324),
  (7, 'Cannery Row', 'John Steinbeck', 1945, 181),
  (8, 'Of Mice and Men', 'John Steinbeck', 1937, 107),
  (9, 'Old Songs of the Valley', 'Unknown', NULL, 96),
  (10, 'Things Fall Apart', 'Chinua Achebe', 1958, 209);

CREATE TABLE loans (
  id        INTEGER PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id),
  book_id   INTEGER NOT NULL REFERENCES books (id),
  lent      TEXT NOT NULL,  -- the date it went out, YYYY-MM-DD
  back      TEXT            -- the date it came back; NULL while out
);

INSERT INTO loans (id, member_id, book_id, lent, back) VALUES
  (1, 1, 1, '2026-10-01', '2026-10-15'),
  (2, 1, 4, '2026-10-16', '2026-11-02'),
  (3, 1, 7, '2026-11-03', NULL),
  (4, 2, 3, '2026-10-05', '2026-10-20'),
  (5, 3, 6, '2026-10-07', NULL),
  (6, 3, 8, '2026-10-21', '2026-11-01'),
  (7, 3, 10, '2026-11-04', NULL),
  (8, 5, 1, '2026-11-05', NULL),
  (9, 5, 2, '2026-11-05', '2026-11-20');

-- A book can be out to only one member at a time.
CREATE UNIQUE INDEX one_loan_per_book ON loans (book_id) WHERE back IS NULL;
