-- Working table of one comparison (temporary): every compared share, as hits out of n in each period, per segment.
-- Rates count the units of a kind with a property (transferred among order_status calls); mixes count the units
-- with each value among all of their kind (journeys with 'Call: order status'; order_status calls via main>general).
CREATE OR REPLACE TEMP TABLE compare_shares AS
WITH journeys_in AS (
    SELECT * FROM compare_journeys WHERE measured
),
flags AS (
    -- one row per unit and rate it counts in; a NULL measure (no reason, no path) or hit (not yet known) is left out
    SELECT 'journeys' AS unit, segment, period, 'share of journeys with a call' AS measure, calls > 0 AS hit
    FROM journeys_in
    UNION ALL
    SELECT 'calls', c.segment, c.period, f.measure, f.hit
    FROM compare_calls AS c, unnest([
        {'measure': 'transfer rate of calls', 'hit': c.transferred},
        {'measure': 'transfer rate of ' || c.reason_code || ' calls', 'hit': c.transferred},
        {'measure': 'transfer rate of calls via ' || c.ivr_path, 'hit': c.transferred},
        {'measure': 'abandonment rate of calls', 'hit': c.abandoned},
        {'measure': 'repeat-call rate', 'hit': c.repeated},
        {'measure': 'repeat-call rate of ' || c.reason_code || ' calls', 'hit': c.repeated}
    ]) AS u(f)
),
members AS (
    -- one row per unit and value it has, with the group whose size is the denominator
    SELECT 'journeys' AS unit, j.segment, j.period, '' AS kind, 'share of journeys with ' || a.activity AS measure
    FROM journeys_in AS j, unnest(j.activities) AS a(activity)
    UNION ALL
    -- within a call reason, so a busier reason does not shift the routing of the others
    SELECT 'calls', segment, period, reason_code, 'share of ' || reason_code || ' calls via ' || ivr_path
    FROM compare_calls
    WHERE reason_code IS NOT NULL AND ivr_path IS NOT NULL
),
groups AS (
    SELECT 'journeys' AS unit, segment, period, '' AS kind FROM journeys_in
    UNION ALL
    SELECT 'calls', segment, period, reason_code FROM compare_calls WHERE reason_code IS NOT NULL AND ivr_path IS NOT NULL
),
group_sizes AS (
    SELECT unit, segment, kind,
           count(*) FILTER (WHERE period = 'before') AS n_before, count(*) FILTER (WHERE period = 'after') AS n_after
    FROM groups GROUP BY ALL
),
rates AS (
    SELECT unit, measure, segment,
           count(*) FILTER (WHERE period = 'before' AND hit) AS hits_before, count(*) FILTER (WHERE period = 'before') AS n_before,
           count(*) FILTER (WHERE period = 'after' AND hit) AS hits_after, count(*) FILTER (WHERE period = 'after') AS n_after
    FROM flags
    WHERE measure IS NOT NULL AND hit IS NOT NULL
    GROUP BY unit, measure, segment
),
mixes AS (
    SELECT m.unit, m.measure, m.segment,
           count(*) FILTER (WHERE m.period = 'before') AS hits_before, any_value(g.n_before) AS n_before,
           count(*) FILTER (WHERE m.period = 'after') AS hits_after, any_value(g.n_after) AS n_after
    FROM members AS m
    JOIN group_sizes AS g USING (unit, segment, kind)
    GROUP BY m.unit, m.measure, m.segment
)
SELECT
    CAST(unit AS VARCHAR) AS unit,              -- what is counted: journeys or calls
    CAST(measure AS VARCHAR) AS measure,        -- readable name of the share
    CAST(segment AS VARCHAR) AS segment,        -- '(all)' or a value of the segment
    CAST(hits_before AS BIGINT) AS hits_before, -- units with the property, before
    CAST(n_before AS BIGINT) AS n_before,       -- units, before
    CAST(hits_after AS BIGINT) AS hits_after,   -- units with the property, after
    CAST(n_after AS BIGINT) AS n_after          -- units, after
FROM (SELECT * FROM rates UNION ALL SELECT * FROM mixes)
ORDER BY measure, segment;
