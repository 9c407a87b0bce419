SELECT members.name, books.title,
       CASE WHEN loans.back = NULL THEN 'still out' ELSE loans.back END AS back
FROM loans
JOIN members ON members.id = loans.member_id
JOIN books ON books.id = loans.book_id;
