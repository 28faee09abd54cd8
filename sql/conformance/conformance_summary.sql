-- One row: the log-level conformance of the journeys in scope to the model ($model_hash) under $method, and what the run cost.
CREATE OR REPLACE TABLE conformance_summary AS
WITH scored AS (
    SELECT v.frequency, c.*
    FROM conformance_variants AS v
    JOIN alignment_cache AS c
      ON c.variant = v.activities AND c.model_hash = $model_hash AND c.method = $method
)
SELECT
    CAST($model_hash AS VARCHAR)                 AS model_hash,     -- the model's fingerprint
    CAST($method AS VARCHAR)                     AS method,         -- alignments or token_replay
    CAST($journey_type AS VARCHAR)               AS journey_type,   -- scope (NULL: all journeys)
    CAST(sum(frequency) AS BIGINT)               AS journeys,       -- journeys in scope
    CAST(count(*) AS BIGINT)                     AS variants,       -- distinct variants in scope
    -- timed-out variants have no fitness and are left out, as pm4py leaves out traces without an alignment
    CAST(sum(frequency * fitness) / sum(frequency) FILTER (WHERE NOT timed_out) AS DOUBLE)
                                                 AS fitness,        -- mean trace fitness over journeys (pm4py average_trace_fitness)
    CAST(CASE WHEN $method = 'alignments'
        THEN 1 - sum(frequency * raw_cost) / sum(frequency * raw_worst_cost)
        ELSE 0.5 * (1 - sum(frequency * missing) / sum(frequency * consumed))
           + 0.5 * (1 - sum(frequency * remaining) / sum(frequency * produced))
    END AS DOUBLE)                               AS log_fitness,    -- pm4py's log_fitness of the same method
    CAST(coalesce(sum(frequency) FILTER (WHERE is_fitting), 0) AS DOUBLE) / sum(frequency) FILTER (WHERE NOT timed_out)
                                                 AS fitting_share,  -- share of journeys that fit (of those with a result)
    CAST($precision AS DOUBLE)                   AS precision,      -- pm4py token-based ETConformance precision, frequency-weighted
    CAST(count(*) FILTER (WHERE timed_out) AS BIGINT)             AS timed_out_variants, -- variants with no result
    CAST(coalesce(sum(frequency) FILTER (WHERE timed_out), 0) AS BIGINT) AS timed_out_journeys, -- their journeys
    CAST($computed_variants AS BIGINT)           AS computed_variants, -- variants replayed by this run
    CAST($cached_variants AS BIGINT)             AS cached_variants,   -- variants read from alignment_cache
    CAST(count(*) FILTER (WHERE aligner = 'pm4py') AS BIGINT)   AS pm4py_variants, -- variants in scope aligned by pm4py (r4pm could not take them, or pm4py was chosen)
    CAST($seconds AS DOUBLE)                     AS seconds,           -- wall time of the run
    CAST(now() AS TIMESTAMP)                     AS computed_at        -- UTC
FROM scored;
