-- Products by excess information calls, with the evidence shown next to them.
SELECT product_id, name, category, views, journeys, orders, info_calls, returns_not_as_described, rate, expected_rate,
       excess_calls, q_value, flagged, description_chars, category_median_chars, has_specifications,
       description_excerpt, top_call_reasons
FROM failure_demand_products ORDER BY excess_calls DESC NULLS LAST, product_id;
