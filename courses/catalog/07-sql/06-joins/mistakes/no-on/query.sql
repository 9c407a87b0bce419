SELECT customers.name AS customer, products.name AS product, orders.quantity
FROM orders
JOIN customers
JOIN products ON products.id = orders.product_id;
