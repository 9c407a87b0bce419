select author, count(title) as books, sum(pages) as pages from books group by author having count(*) >= 2;
