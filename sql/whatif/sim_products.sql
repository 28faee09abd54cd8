-- Per product, the information calls per journey of comparable products (failure_demand_products.expected_rate): what a
-- rewritten description is expected to bring its information calls down to.
SELECT
    CAST(product_id AS VARCHAR)   AS product_id,
    CAST(expected_rate AS DOUBLE) AS expected_rate,
    CAST(excess_calls AS DOUBLE)  AS excess_calls
FROM failure_demand_products
ORDER BY excess_calls DESC, product_id;
