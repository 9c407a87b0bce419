SELECT name AS customer, products.name AS product, orders.quantity
FROM orders
JOIN customers ON customers.id = orders.customer_id
JOIN products ON products.id = orders.product_id;
