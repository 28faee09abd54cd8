-- Where-is-my-order calls per order day, in date order, for the chart.
SELECT order_day, orders, order_status_calls, calls_per_order, expected_calls, excess_calls, days_to_ship,
       q_value, flagged
FROM order_status_calls_by_day ORDER BY order_day;
