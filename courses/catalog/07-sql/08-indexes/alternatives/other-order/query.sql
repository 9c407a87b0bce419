CREATE INDEX products_by_category ON products (category);
CREATE INDEX orders_by_customer ON orders (customer_id);
