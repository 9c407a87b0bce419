SELECT customers.name AS customer, products.name AS product, orders.quantity AS quantity
FROM customers
INNER JOIN orders ON orders.customer_id = customers.id
INNER JOIN products ON products.id = orders.product_id
ORDER BY customer;
