-- Failure and value demand by cause: contacts, calls, journeys, calls and agent hours per month, and the calls of the cause
-- that fixing the flagged targets would remove (contact_targets: the calls of this cause counted under some target).
CREATE OR REPLACE TABLE failure_demand_causes AS
WITH span AS (
    SELECT greatest((epoch(max(ts)) - epoch(min(ts))) / 86400.0, 1.0) / 30.4375 AS months,
           count(*) AS calls
    FROM contact_demand
    WHERE channel = 'phone'
),
per_cause AS (
    SELECT
        demand, cause,
        count(*)                                         AS contacts,
        count(*) FILTER (WHERE channel = 'phone')        AS calls,
        count(DISTINCT journey_id)                       AS journeys,
        avg(duration_s) FILTER (WHERE channel = 'phone') AS mean_seconds,      -- over calls with a known handling time
        count(*) FILTER (WHERE channel = 'phone' AND duration_s IS NULL) AS untimed
    FROM contact_demand
    GROUP BY ALL
),
counted AS (  -- per cause of the call and target: calls, their avoidable part and its handling time
    SELECT demand, cause, target, count(*) * any_value(excess_share) AS avoidable,
           count(*) * any_value(excess_share) * avg(duration_s) AS seconds   -- NULL: no handling time known
    FROM contact_targets
    GROUP BY demand, cause, target
),
avoidable AS (
    SELECT demand, cause, count(*) AS targets, sum(avoidable) AS calls,
           CASE WHEN count(seconds) = count(*) THEN sum(seconds) END AS seconds
    FROM counted
    GROUP BY demand, cause
)
SELECT
    CAST(c.demand AS VARCHAR)                                  AS demand,        -- failure | value
    CAST(c.cause AS VARCHAR)                                   AS cause,
    CAST(c.contacts AS BIGINT)                                 AS contacts,      -- calls and web help/contact views
    CAST(c.calls AS BIGINT)                                    AS calls,
    CAST(c.journeys AS BIGINT)                                 AS journeys,
    CAST(c.calls / nullif(s.calls, 0) AS DOUBLE)               AS share_of_calls,
    CAST(c.calls / s.months AS DOUBLE)                         AS calls_per_month,
    -- calls without an end time count at the mean of the others; NULL when none of the cause's calls has one
    CAST(c.calls * c.mean_seconds / 3600.0 / s.months AS DOUBLE) AS agent_hours_per_month,
    CAST(c.untimed AS BIGINT)                                  AS calls_without_handling_time,
    CAST(coalesce(a.targets, 0) AS BIGINT)                     AS flagged_targets, -- targets its calls are counted under
    CAST(coalesce(a.calls, 0) / s.months AS DOUBLE)            AS avoidable_calls_per_month, -- never above calls_per_month
    CAST(CASE WHEN a.calls IS NULL THEN 0 ELSE a.seconds / 3600.0 / s.months END AS DOUBLE) AS avoidable_agent_hours_per_month
FROM per_cause AS c
CROSS JOIN span AS s
LEFT JOIN avoidable AS a USING (demand, cause)
ORDER BY c.demand, c.calls DESC, c.contacts DESC, c.cause;
