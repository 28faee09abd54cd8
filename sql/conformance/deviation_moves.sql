-- Working table of one conformance run (temporary): each deviating alignment move of each variant, typed and placed in the design.
-- The moves of an alignment are typed and placed once, when it is cached (alignment_deviations.sql: the typing rule is there).
CREATE OR REPLACE TEMP TABLE deviation_moves AS
WITH listed AS (
    SELECT v.variant_id, v.frequency, unnest(c.deviations) AS d
    FROM variant_conformance AS v
    JOIN alignment_cache AS c
      ON c.variant = v.activities AND c.model_hash = $model_hash AND c.method = $method
    WHERE NOT v.is_fitting
)
SELECT
    CAST(variant_id AS BIGINT)     AS variant_id,     -- variants.variant_id
    CAST(frequency AS BIGINT)      AS frequency,      -- journeys in scope following the variant
    CAST(d.position AS BIGINT)     AS position,       -- 1-based position of the move in the alignment
    CAST(d.deviation_type AS VARCHAR) AS deviation_type, -- skipped step, unexpected step, wrong order / repeated step
    CAST(d.activity AS VARCHAR)    AS activity,       -- the step done (log move) or left out (model move)
    CAST(d.after_step AS VARCHAR)  AS after_step,     -- last designed step done before it (NULL: journey start)
    CAST(d.before_step AS VARCHAR) AS before_step     -- next designed step done after it (NULL: journey end)
FROM listed;
