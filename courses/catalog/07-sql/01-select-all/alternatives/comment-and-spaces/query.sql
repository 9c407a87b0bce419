-- every product
SELECT   *
  FROM   products ;
