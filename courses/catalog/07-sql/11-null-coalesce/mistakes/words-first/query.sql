SELECT members.name, books.title,
       COALESCE('still out', loans.back) AS back
FROM loans
JOIN members ON members.id = loans.member_id
JOIN books ON books.id = loans.book_id;
