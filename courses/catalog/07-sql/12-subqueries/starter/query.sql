-- Books longer than the average book: title, pages,
-- the longest first. Press Run to see your result.

SELECT AVG(pages) FROM books;
