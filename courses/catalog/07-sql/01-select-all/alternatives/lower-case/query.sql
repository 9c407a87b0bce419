select * from products
