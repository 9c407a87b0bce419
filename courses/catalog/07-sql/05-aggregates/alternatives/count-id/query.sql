SELECT category, COUNT(id) AS products, SUM(stock) AS items FROM products GROUP BY category ORDER BY category;
