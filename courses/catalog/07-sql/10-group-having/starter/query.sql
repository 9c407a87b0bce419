-- Authors with two or more books: author, books, pages.
-- Press Run to see your result.

SELECT author, COUNT(*) AS books, SUM(pages) AS pages
FROM books
GROUP BY author;
