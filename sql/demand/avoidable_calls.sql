-- Avoidable calls: for each flagged target, the calls counted under it (contact_targets: each call under one target at
-- most) and the part of them above what comparable ones get, per month; agent hours at the mean known handling time of
-- those calls. A target's avoidable calls never exceed its calls, and the sum over targets counts no call twice.
CREATE OR REPLACE TABLE avoidable_calls AS
WITH span AS (
    SELECT greatest((epoch(max(ts)) - epoch(min(ts))) / 86400.0, 1.0) / 30.4375 AS months
    FROM contact_demand
    WHERE channel = 'phone'
),
per_target AS (
    SELECT
        target_cause, target, any_value(fix) AS fix,
        count(*)                 AS calls,
        any_value(excess_share)  AS share,
        count(duration_s)        AS timed_calls,
        avg(duration_s)          AS mean_seconds
    FROM contact_targets
    GROUP BY target_cause, target
)
SELECT
    CAST(t.target_cause AS VARCHAR)                          AS cause,            -- the kind of target (failure_demand_causes.cause)
    CAST(t.target AS VARCHAR)                                AS target,           -- what to fix
    CAST(t.fix AS VARCHAR)                                   AS fix,
    CAST(t.calls AS BIGINT)                                  AS calls,            -- calls counted under it, whole period
    CAST(t.share AS DOUBLE)                                  AS excess_share,     -- share of them above comparable ones
    CAST(t.calls * t.share AS DOUBLE)                        AS avoidable_calls,  -- whole period; at most `calls`
    CAST(t.calls * t.share / s.months AS DOUBLE)             AS calls_per_month,
    CAST(t.calls * t.share * t.mean_seconds / 3600.0 / s.months AS DOUBLE) AS agent_hours_per_month, -- NULL: no handling time known
    CAST(t.calls - t.timed_calls AS BIGINT)                  AS calls_without_handling_time
FROM per_target AS t, span AS s
ORDER BY calls_per_month DESC, cause, target;
