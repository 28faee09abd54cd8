-- One row per kind of deviation from the model: what, where in the design, how many journeys, the time it adds, where it concentrates.
CREATE OR REPLACE TABLE deviations AS
WITH keyed AS (
    -- dense_rank treats equal NULLs as equal, so one id per (type, activity, after, before)
    SELECT *, dense_rank() OVER (ORDER BY deviation_type, activity, after_step, before_step) AS key
    FROM deviation_moves
),
per_variant AS (
    SELECT key, variant_id, any_value(frequency) AS frequency, count(*) AS moves
    FROM keyed
    GROUP BY key, variant_id
),
kinds AS (
    SELECT key, any_value(deviation_type) AS deviation_type, any_value(activity) AS activity,
           any_value(after_step) AS after_step, any_value(before_step) AS before_step
    FROM keyed
    GROUP BY key
),
affected AS (
    SELECT p.key, c.journey_id, c.duration_seconds, c.product_id, c.sales_channel
    FROM per_variant AS p
    JOIN conformance_cases AS c USING (variant_id)
),
totals AS (
    SELECT
        key,
        count(*) AS journeys,
        avg(duration_seconds) AS mean_duration_seconds
    FROM affected
    GROUP BY key
),
occurrences AS (
    SELECT key, count(DISTINCT variant_id) AS variants, sum(frequency * moves) AS occurrences
    FROM per_variant
    GROUP BY key
),
products AS (
    SELECT key, list({'product_id': product_id, 'journeys': journeys} ORDER BY journeys DESC, product_id)[1:3] AS top
    FROM (SELECT key, product_id, count(*) AS journeys FROM affected WHERE product_id IS NOT NULL GROUP BY ALL)
    GROUP BY key
),
channels AS (
    SELECT key, list({'sales_channel': sales_channel, 'journeys': journeys} ORDER BY journeys DESC, sales_channel)[1:3] AS top
    FROM (SELECT key, sales_channel, count(*) AS journeys FROM affected WHERE sales_channel IS NOT NULL GROUP BY ALL)
    GROUP BY key
),
scope AS (
    SELECT
        count(*) AS journeys,
        avg(c.duration_seconds) FILTER (WHERE v.is_fitting) AS fitting_mean_duration_seconds
    FROM conformance_cases AS c
    JOIN variant_conformance AS v USING (variant_id)
)
SELECT
    CAST(row_number() OVER (ORDER BY t.journeys DESC, k.deviation_type, k.activity, k.after_step, k.before_step) AS BIGINT)
                                                       AS deviation_id,   -- 1 = affects most journeys
    CAST(k.deviation_type AS VARCHAR)                  AS deviation_type, -- skipped step, unexpected step, wrong order / repeated step
    CAST(k.activity AS VARCHAR)                        AS activity,       -- the step done (or left out)
    CAST(k.after_step AS VARCHAR)                      AS after_step,     -- last designed step done before it (NULL: journey start)
    CAST(k.before_step AS VARCHAR)                     AS before_step,    -- next designed step done after it (NULL: journey end)
    CAST(o.variants AS BIGINT)                         AS variants,       -- variants showing it
    CAST(t.journeys AS BIGINT)                         AS journeys,       -- journeys showing it at least once
    CAST(o.occurrences AS BIGINT)                      AS occurrences,    -- times it happens, over all journeys
    CAST(t.journeys AS DOUBLE) / s.journeys            AS share,          -- journeys / journeys in scope
    CAST(t.mean_duration_seconds AS DOUBLE)            AS mean_duration_seconds, -- mean duration of those journeys, seconds
    -- NULL when no journey fits the model
    CAST(t.mean_duration_seconds - s.fitting_mean_duration_seconds AS DOUBLE) AS extra_seconds, -- minus the mean of fitting journeys
    p.top                                              AS top_products,       -- up to 3 (product_id, journeys), most first; NULL when unknown
    ch.top                                             AS top_sales_channels  -- up to 3 (sales_channel, journeys), most first; NULL when unknown
FROM kinds AS k
JOIN totals AS t USING (key)
JOIN occurrences AS o USING (key)
LEFT JOIN products AS p USING (key)
LEFT JOIN channels AS ch USING (key)
CROSS JOIN scope AS s
ORDER BY deviation_id;
