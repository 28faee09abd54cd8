-- The explorer's landing page: avoidable-calls targets, most avoidable calls per month first.
SELECT cause, target, fix, calls, avoidable_calls, calls_per_month
FROM avoidable_calls
ORDER BY calls_per_month DESC, target
LIMIT $limit;
