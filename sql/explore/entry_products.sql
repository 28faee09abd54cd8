-- The explorer's landing page: the products flagged for their descriptions, most excess calls first.
SELECT product_id, name, category, info_calls, returns_not_as_described, excess_calls, rate_ratio
FROM failure_demand_products
WHERE flagged
ORDER BY excess_calls DESC, product_id
LIMIT $limit;
