CREATE INDEX by_customer ON orders (customer_id);
CREATE INDEX by_customer ON products (category);
