-- The variants of the selected journeys, recounted on them: rank, journeys, share, mean duration, and fitness when
-- conformance checked the variant (`checked` FALSE: not checked, which is not a fitness of 0).
WITH counted AS (
    SELECT variant_id, count(*) AS journeys, avg(duration_seconds) AS mean_duration_seconds
    FROM selected_journeys
    WHERE variant_id IS NOT NULL
    GROUP BY variant_id
)
SELECT
    CAST(rank() OVER (ORDER BY c.journeys DESC) AS BIGINT)   AS rank,       -- 1 = most journeys in the selection
    c.variant_id,
    CAST(v.variant AS VARCHAR)                               AS variant,    -- the activities, as text
    v.activities,                                                           -- the activities, in order
    CAST(len(v.activities) AS BIGINT)                        AS steps,
    CAST(c.journeys AS BIGINT)                               AS journeys,
    CAST(c.journeys AS DOUBLE) / sum(c.journeys) OVER ()     AS share,      -- of the selected journeys with a variant
    CAST(c.mean_duration_seconds AS DOUBLE)                  AS mean_duration_seconds,
    f.fitness,                                                              -- NULL: not checked, or timed out
    coalesce(f.checked, FALSE)                               AS checked     -- conformance checked this variant
FROM counted AS c
JOIN variants AS v USING (variant_id)
LEFT JOIN variant_fitness AS f USING (variant_id)
