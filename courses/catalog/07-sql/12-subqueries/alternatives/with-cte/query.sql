WITH average AS (SELECT AVG(pages) AS pages FROM books)
SELECT books.title, books.pages
FROM books, average
WHERE books.pages > average.pages
ORDER BY books.pages DESC;
