SELECT customers.name AS customer, products.name AS product, orders.quantity
FROM orders, customers, products
WHERE customers.id = orders.customer_id AND products.id = orders.product_id;
