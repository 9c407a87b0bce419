-- Every loan: name, title, and back (or 'still out').
-- Press Run to see your result.

SELECT members.name, books.title, loans.back
FROM loans
JOIN members ON members.id = loans.member_id
JOIN books ON books.id = loans.book_id;
