SELECT members.name
FROM members
JOIN loans ON loans.member_id = members.id
WHERE loans.id IS NULL;
