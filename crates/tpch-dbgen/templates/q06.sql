SELECT
    sum(l_extendedprice * l_discount) AS revenue
FROM
    lineitem
WHERE
    l_shipdate >= CAST(':1' AS date)
    AND l_shipdate < CAST(':2' AS date)
    AND l_discount BETWEEN :3
    AND :4
    AND l_quantity < :5;
