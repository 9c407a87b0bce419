insert into products (name, category, price, stock) values ('Honey', 'pantry', 3.20, 10);
update products set price = 1.30 where name = 'Bread';
delete from products where name = 'Orange juice';
