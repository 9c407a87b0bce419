select b.title, b.pages
from books b
join (select avg(pages) as avg_pages from books) a
  on b.pages > a.avg_pages
order by 2 desc;
