SELECT author, COUNT(*) AS books, SUM(pages) AS pages
FROM books
WHERE COUNT(*) >= 2
GROUP BY author;
