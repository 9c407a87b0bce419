SELECT m.name, b.title, IFNULL(l.back, 'still out') AS back
FROM loans l
JOIN members m ON l.member_id = m.id
JOIN books b ON l.book_id = b.id
ORDER BY l.lent;
