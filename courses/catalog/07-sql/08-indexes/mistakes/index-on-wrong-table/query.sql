CREATE INDEX orders_by_customer ON customers (id);
CREATE INDEX products_by_category ON products (category);
