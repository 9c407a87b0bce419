SELECT members.name AS name,
       books.title AS title,
       CASE WHEN loans.back IS NULL THEN 'still out'
            ELSE loans.back END AS back
FROM loans, members, books
WHERE members.id = loans.member_id
  AND books.id = loans.book_id;
