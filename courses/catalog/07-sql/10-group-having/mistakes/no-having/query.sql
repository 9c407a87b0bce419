SELECT author, COUNT(*) AS books, SUM(pages) AS pages
FROM books
GROUP BY author;
