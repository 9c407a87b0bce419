SELECT title, pages
FROM books
WHERE pages > (SELECT AVG(pages) FROM books)
ORDER BY pages;
