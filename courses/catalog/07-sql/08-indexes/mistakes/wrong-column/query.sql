CREATE INDEX orders_by_customer ON orders (product_id);
CREATE INDEX products_by_category ON products (category);
