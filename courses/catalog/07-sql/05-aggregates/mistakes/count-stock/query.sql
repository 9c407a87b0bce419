SELECT category, SUM(stock) AS products, COUNT(*) AS items FROM products GROUP BY category;
