-- Working table of one comparison (temporary): variants followed in only one of the periods (appeared or vanished), with their counts.
CREATE OR REPLACE TEMP TABLE compare_variants AS
WITH counted AS (
    SELECT
        variant_id,
        count(*) FILTER (WHERE period = 'before') AS journeys_before,
        count(*) FILTER (WHERE period = 'after') AS journeys_after
    FROM compare_journeys
    WHERE segment = '(all)' AND measured AND variant_id IS NOT NULL
    GROUP BY variant_id
),
totals AS (
    SELECT
        count(*) FILTER (WHERE period = 'before') AS n_before,
        count(*) FILTER (WHERE period = 'after') AS n_after
    FROM compare_journeys
    WHERE segment = '(all)' AND measured AND variant_id IS NOT NULL
)
SELECT
    CAST(CASE WHEN c.journeys_before = 0 THEN 'appeared' ELSE 'vanished' END AS VARCHAR) AS change, -- in the after period only, or the before period only
    c.variant_id,                                                         -- variants.variant_id
    v.variant,                                                            -- its activities joined with ','
    CAST(array_to_string(v.activities, ' → ') AS VARCHAR) AS steps,       -- the same, readable (an activity may hold ',')
    CAST(c.journeys_before AS BIGINT) AS journeys_before,                 -- journeys following it, before
    CAST(c.journeys_after AS BIGINT) AS journeys_after,                   -- journeys following it, after
    CAST(t.n_before AS BIGINT) AS n_before,                               -- journeys with a variant, before
    CAST(t.n_after AS BIGINT) AS n_after,                                 -- journeys with a variant, after
    CAST(c.journeys_before AS DOUBLE) / nullif(t.n_before, 0) AS share_before, -- of the journeys before
    CAST(c.journeys_after AS DOUBLE) / nullif(t.n_after, 0) AS share_after     -- of the journeys after
FROM counted AS c
JOIN variants AS v USING (variant_id)
CROSS JOIN totals AS t
WHERE c.journeys_before = 0 OR c.journeys_after = 0
ORDER BY change, greatest(c.journeys_before, c.journeys_after) DESC, c.variant_id;
