SELECT author, COUNT(id) AS books, SUM(pages) AS pages
FROM books
GROUP BY author
HAVING books > 1
ORDER BY books DESC;
