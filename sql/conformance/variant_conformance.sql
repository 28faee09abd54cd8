-- One row per variant in scope: how well it conforms to the model ($model_hash) under $method, read from alignment_cache.
CREATE OR REPLACE TABLE variant_conformance AS
SELECT
    v.variant_id,                                                       -- variants.variant_id
    v.activities,                                                       -- activities in case order
    v.frequency,                                                        -- journeys in scope following it
    CAST(v.frequency AS DOUBLE) / t.journeys AS share,                  -- frequency / journeys in scope
    c.fitness,                                                          -- trace fitness 0..1; NULL when timed out
    c.cost,                                                             -- deviating moves (alignments) or missing + remaining tokens (token replay)
    c.is_fitting,                                                       -- fitness = 1; NULL when timed out
    c.timed_out,                                                        -- no result: the alignment hit its time limit
    c.moves,                                                            -- the alignment (alignment_cache.moves)
    v.mean_duration_seconds                                             -- mean journey duration, seconds
FROM conformance_variants AS v
-- the total as a one-row join, not a window: a window would hold every row, alignments and all, once more before the sort
CROSS JOIN (SELECT sum(frequency) AS journeys FROM conformance_variants) AS t
JOIN alignment_cache AS c
  ON c.variant = v.activities AND c.model_hash = $model_hash AND c.method = $method
ORDER BY v.variant_id;
