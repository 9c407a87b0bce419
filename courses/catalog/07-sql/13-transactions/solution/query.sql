-- 1. Book 10 goes back from Carl and out to Dan, all or nothing.
BEGIN;
UPDATE loans SET back = '2026-11-30' WHERE id = 7;
INSERT INTO loans (member_id, book_id, lent)
VALUES (4, 10, '2026-11-30');
COMMIT;

-- 2. A clean-up we change our mind about.
BEGIN;
DELETE FROM loans WHERE back IS NOT NULL;
SELECT COUNT(*) AS loans_left FROM loans;
ROLLBACK;
