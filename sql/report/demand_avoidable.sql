-- What to fix first: avoidable calls per target, most per month first.
SELECT cause, target, fix, calls, excess_share, avoidable_calls, calls_per_month, agent_hours_per_month,
       calls_without_handling_time
FROM avoidable_calls ORDER BY calls_per_month DESC, cause, target;
