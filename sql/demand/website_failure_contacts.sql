-- Website failure: web sessions with a checkout error or a help page that were followed by a call, against other sessions.
CREATE OR REPLACE TABLE website_failure_contacts AS
SELECT
    CAST(trigger AS VARCHAR)                  AS trigger,          -- activity and page met in the session
    CAST(sessions AS BIGINT)                  AS sessions,         -- web sessions (in journeys) that met it
    CAST(called AS BIGINT)                    AS calls,            -- of which followed by a call within the window
    CAST(called / sessions AS DOUBLE)         AS call_rate,
    CAST(baseline_rate AS DOUBLE)             AS baseline_rate,    -- the same for sessions that did not meet it
    CAST(called - expected AS DOUBLE)         AS excess_calls,
    CAST(window_s / 3600.0 AS DOUBLE)         AS window_hours,
    CAST(call_seconds AS DOUBLE)              AS call_seconds,     -- mean handling time of those calls
    CAST(p_value AS DOUBLE)                   AS p_value,          -- one-sided negative-binomial test of calls
    CAST(heterogeneity AS DOUBLE)             AS heterogeneity,   -- how much comparable rows differ beyond chance (0: Poisson)
    CAST(q_value AS DOUBLE)                   AS q_value,          -- Benjamini-Hochberg across triggers
    CAST(q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected AS BOOLEAN) AS flagged
FROM website_triggers
ORDER BY excess_calls DESC, trigger;
