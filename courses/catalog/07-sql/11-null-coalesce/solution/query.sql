SELECT members.name, books.title,
       COALESCE(loans.back, 'still out') AS back
FROM loans
JOIN members ON members.id = loans.member_id
JOIN books ON books.id = loans.book_id;
