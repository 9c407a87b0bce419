select name, price from products where 2 > price;
