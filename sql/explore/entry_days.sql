-- The explorer's landing page: order days flagged for their where-is-my-order calls.
SELECT order_day, orders, order_status_calls, calls_per_order, expected_calls, days_to_ship
FROM order_status_calls_by_day
WHERE flagged
ORDER BY order_day
LIMIT $limit;
