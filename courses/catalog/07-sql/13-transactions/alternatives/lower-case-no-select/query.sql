begin;
update loans set back = '2026-11-30' where id = 7;
insert into loans (member_id, book_id, lent) values (4, 10, '2026-11-30');
commit;
begin;
delete from loans where back is not null;
rollback;
