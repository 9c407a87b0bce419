select members.name, books.title, coalesce(back, 'still out') as back
from members
join loans on loans.member_id = members.id
join books on books.id = loans.book_id;
