-- Failure and value demand by cause: contacts, calls, journeys, calls and agent hours per month, and what fixing the flagged
-- targets of the cause would remove (avoidable_calls).
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
        count(*)                                        AS contacts,
        count(*) FILTER (WHERE channel = 'phone')       AS calls,
        count(DISTINCT journey_id)                      AS journeys,
        sum(duration_s) FILTER (WHERE channel = 'phone') AS seconds
    FROM contact_demand
    GROUP BY ALL
),
avoidable AS (
    SELECT cause, count(*) AS targets, sum(calls_per_month) AS calls_per_month, sum(agent_hours_per_month) AS hours
    FROM avoidable_calls
    GROUP BY cause
)
SELECT
    CAST(c.demand AS VARCHAR)                                  AS demand,        -- failure | value
    CAST(c.cause AS VARCHAR)                                   AS cause,
    CAST(c.contacts AS BIGINT)                                 AS contacts,      -- calls and web help/contact views
    CAST(c.calls AS BIGINT)                                    AS calls,
    CAST(c.journeys AS BIGINT)                                 AS journeys,
    CAST(c.calls / nullif(s.calls, 0) AS DOUBLE)               AS share_of_calls,
    CAST(c.calls / s.months AS DOUBLE)                         AS calls_per_month,
    CAST(coalesce(c.seconds, 0) / 3600.0 / s.months AS DOUBLE) AS agent_hours_per_month,
    CAST(coalesce(a.targets, 0) AS BIGINT)                     AS flagged_targets, -- rows of avoidable_calls
    CAST(coalesce(a.calls_per_month, 0) AS DOUBLE)             AS avoidable_calls_per_month,
    CAST(coalesce(a.hours, 0) AS DOUBLE)                       AS avoidable_agent_hours_per_month
FROM per_cause AS c
CROSS JOIN span AS s
LEFT JOIN avoidable AS a USING (cause)
ORDER BY c.demand, c.calls DESC, c.contacts DESC, c.cause;
