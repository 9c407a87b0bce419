SELECT category,
  COUNT(*) AS products,
  SUM(stock) AS items
FROM products
GROUP BY category
HAVING COUNT(*) > 0;
