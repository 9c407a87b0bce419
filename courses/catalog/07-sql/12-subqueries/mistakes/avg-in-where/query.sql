SELECT title, pages
FROM books
WHERE pages > AVG(pages)
ORDER BY pages DESC;
