SELECT title, pages FROM books
WHERE pages * (SELECT COUNT(*) FROM books) > (SELECT SUM(pages) FROM books)
ORDER BY pages DESC, title;
