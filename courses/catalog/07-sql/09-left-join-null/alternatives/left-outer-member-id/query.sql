SELECT members.name AS name
FROM members LEFT OUTER JOIN loans
  ON members.id = loans.member_id
WHERE loans.member_id IS NULL
ORDER BY members.name;
