SELECT * FROM (
  SELECT author, count(*) AS books, total(pages) AS pages
  FROM books GROUP BY author
) WHERE books >= 2;
