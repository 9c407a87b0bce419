select name, price from products order by price desc limit 3
