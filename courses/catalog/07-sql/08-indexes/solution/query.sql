CREATE INDEX orders_by_customer ON orders (customer_id);
CREATE INDEX products_by_category ON products (category);
