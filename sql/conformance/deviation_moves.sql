-- Working table of one conformance run (temporary): each deviating alignment move of each variant, typed and placed in the design.
-- Typing rule (docs/conformance.md): a log move whose activity also has a synchronous or model move in the same alignment is
-- 'wrong order / repeated step' (and that model move is not reported again as skipped); any other log move is 'unexpected step';
-- a model move on a visible task is 'skipped step'.
CREATE OR REPLACE TEMP TABLE deviation_moves AS
WITH moves AS (
    SELECT variant_id, frequency, unnest(moves) AS move, generate_subscripts(moves, 1) AS position
    FROM variant_conformance
    WHERE NOT is_fitting
),
placed AS (
    SELECT
        variant_id, frequency, position,
        move.log AS log_activity,
        move.model AS model_activity,
        coalesce(move.log, move.model) AS activity,
        -- the designed steps around the move: the nearest synchronous moves before and after it
        last_value(CASE WHEN move.log IS NOT NULL AND move.model IS NOT NULL THEN move.model END IGNORE NULLS)
            OVER (PARTITION BY variant_id ORDER BY position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS after_step,
        first_value(CASE WHEN move.log IS NOT NULL AND move.model IS NOT NULL THEN move.model END IGNORE NULLS)
            OVER (PARTITION BY variant_id ORDER BY position ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS before_step
    FROM moves
),
counted AS (
    SELECT
        *,
        count(*) FILTER (WHERE model_activity IS NOT NULL)
            OVER (PARTITION BY variant_id, activity) AS model_side_moves, -- sync or model moves of the same activity
        count(*) FILTER (WHERE model_activity IS NULL)
            OVER (PARTITION BY variant_id, activity) AS log_moves         -- log moves of the same activity
    FROM placed
)
SELECT
    CAST(variant_id AS BIGINT)  AS variant_id,   -- variants.variant_id
    CAST(frequency AS BIGINT)   AS frequency,    -- journeys in scope following the variant
    CAST(position AS BIGINT)    AS position,     -- 1-based position of the move in the alignment
    CAST(CASE
        WHEN model_activity IS NULL AND model_side_moves > 0 THEN 'wrong order / repeated step'
        WHEN model_activity IS NULL THEN 'unexpected step'
        ELSE 'skipped step'
    END AS VARCHAR)             AS deviation_type,
    CAST(activity AS VARCHAR)   AS activity,     -- the step done (log move) or left out (model move)
    CAST(after_step AS VARCHAR) AS after_step,   -- last designed step done before it (NULL: journey start)
    CAST(before_step AS VARCHAR) AS before_step  -- next designed step done after it (NULL: journey end)
FROM counted
WHERE NOT (log_activity IS NOT NULL AND model_activity IS NOT NULL)  -- synchronous moves are not deviations
  AND NOT (log_activity IS NULL AND log_moves > 0);                  -- its log move reports it as wrong order
