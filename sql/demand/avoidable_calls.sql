-- Avoidable calls: for each flagged target, the calls counted under it (contact_targets: each call under one target at
-- most) and the part of them above what comparable ones get, per month; agent hours at the mean known handling time of
-- those calls. A target's avoidable calls never exceed its calls, and the sum over targets counts no call twice.
-- The 95% interval carries the chance in the target's tested count: its Poisson limits (Wilson-Hilferty, as the
-- products' rate ratios) less the expectation, over the observed excess, scale the avoidable share.
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
        any_value(target_key)    AS target_key,
        any_value(evidence)      AS evidence,
        any_value(tested_count)  AS observed,
        any_value(tested_expected) AS expected,
        count(DISTINCT journey_id) AS journeys,
        count(duration_s)        AS timed_calls,
        avg(duration_s)          AS mean_seconds
    FROM contact_targets
    GROUP BY target_cause, target
),
limits AS (
    SELECT *,
        share * greatest(CASE WHEN observed > 0 THEN observed * (1 - 1 / (9 * observed) - 1.96 / (3 * sqrt(observed))) ^ 3
                              ELSE 0 END - expected, 0) / nullif(observed - expected, 0) AS share_low,
        least(share * ((observed + 1) * (1 - 1 / (9 * (observed + 1)) + 1.96 / (3 * sqrt(observed + 1))) ^ 3 - expected)
              / nullif(observed - expected, 0), 1) AS share_high
    FROM per_target
)
SELECT
    CAST(t.target_cause AS VARCHAR)                          AS cause,            -- the kind of target (failure_demand_causes.cause)
    CAST(t.target AS VARCHAR)                                AS target,           -- what to fix
    CAST(t.fix AS VARCHAR)                                   AS fix,
    CAST(t.calls AS BIGINT)                                  AS calls,            -- calls counted under it, whole period
    CAST(t.share AS DOUBLE)                                  AS excess_share,     -- share of them above comparable ones
    CAST(t.calls * t.share AS DOUBLE)                        AS avoidable_calls,  -- whole period; at most `calls`
    CAST(t.calls * t.share / s.months AS DOUBLE)             AS calls_per_month,
    CAST(t.calls * t.share_low / s.months AS DOUBLE)         AS calls_per_month_low,  -- 95% interval (NULL: no excess to scale)
    CAST(t.calls * t.share_high / s.months AS DOUBLE)        AS calls_per_month_high,
    CAST(t.calls * t.share * t.mean_seconds / 3600.0 / s.months AS DOUBLE) AS agent_hours_per_month, -- NULL: no handling time known
    CAST(t.calls - t.timed_calls AS BIGINT)                  AS calls_without_handling_time,
    CAST(t.journeys AS BIGINT)                               AS journeys,         -- journeys of the calls counted
    CAST(t.target_key AS VARCHAR)                            AS target_key,       -- contact_targets.target_key
    CAST(t.evidence AS VARCHAR)                              AS evidence,         -- the test behind the flag, in words
    CAST(s.months AS DOUBLE)                                 AS months            -- the period the rates are per month of
FROM limits AS t, span AS s
ORDER BY calls_per_month DESC, cause, target;
