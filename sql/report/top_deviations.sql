-- The deviations from the design, most journeys first, up to $top.
SELECT deviation_type, activity, after_step, before_step, journeys, share, extra_seconds, top_products
FROM deviations ORDER BY deviation_id LIMIT $top;
