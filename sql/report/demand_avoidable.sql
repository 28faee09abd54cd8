-- What to fix first: avoidable calls per target with their interval and evidence, most per month first.
SELECT cause, target, fix, calls, excess_share, avoidable_calls, calls_per_month, calls_per_month_low,
       calls_per_month_high, agent_hours_per_month, calls_without_handling_time, journeys, target_key, evidence, months
FROM avoidable_calls ORDER BY calls_per_month DESC, cause, target;
