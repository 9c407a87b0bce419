SELECT name FROM members
WHERE id NOT IN (SELECT member_id FROM loans);
