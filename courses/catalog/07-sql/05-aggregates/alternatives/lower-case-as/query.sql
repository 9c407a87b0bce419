select category, count(*) as Products, total(stock) as ITEMS
from products group by 1;
