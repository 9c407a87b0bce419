SELECT author, COUNT(*) AS books, SUM(pages)
FROM books
GROUP BY author
HAVING COUNT(*) >= 2;
