SELECT members.id, members.name
FROM members
LEFT JOIN loans ON loans.member_id = members.id
WHERE loans.id IS NULL;
