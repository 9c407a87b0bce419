create index a on orders(customer_id); create index b on products(category)
