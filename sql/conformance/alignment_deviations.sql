-- Fills alignment_cache.deviations for the model's ($model_hash, $method) rows that lack them (rows just added, and rows cached before
-- cxmining kept them): each deviating move of the alignment, typed and placed in the design. It depends on the alignment alone, so it is
-- computed once per cached variant and deviation_moves reads it (a night computes only its new variants').
-- Typing rule (docs/conformance.md): a log move whose activity also has a synchronous or model move in the same alignment is
-- 'wrong order / repeated step' (and that model move is not reported again as skipped); any other log move is 'unexpected step';
-- a model move on a visible task is 'skipped step'.
UPDATE alignment_cache AS c
SET deviations = d.deviations
FROM (
    WITH pending AS MATERIALIZED (
        SELECT row_number() OVER () AS k, variant, is_fitting, moves
        FROM alignment_cache
        WHERE model_hash = $model_hash AND method = $method AND deviations IS NULL
    ),
    moves AS (
        SELECT k, unnest(moves) AS move, generate_subscripts(moves, 1) AS position
        FROM pending
        WHERE NOT is_fitting
    ),
    placed AS (
        SELECT
            k, position,
            move.log AS log_activity,
            move.model AS model_activity,
            coalesce(move.log, move.model) AS activity,
            -- the designed steps around the move: the nearest synchronous moves before and after it
            last_value(CASE WHEN move.log IS NOT NULL AND move.model IS NOT NULL THEN move.model END IGNORE NULLS)
                OVER (PARTITION BY k ORDER BY position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS after_step,
            first_value(CASE WHEN move.log IS NOT NULL AND move.model IS NOT NULL THEN move.model END IGNORE NULLS)
                OVER (PARTITION BY k ORDER BY position ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS before_step
        FROM moves
    ),
    counted AS (
        SELECT
            *,
            count(*) FILTER (WHERE model_activity IS NOT NULL)
                OVER (PARTITION BY k, activity) AS model_side_moves, -- sync or model moves of the same activity
            count(*) FILTER (WHERE model_activity IS NULL)
                OVER (PARTITION BY k, activity) AS log_moves         -- log moves of the same activity
        FROM placed
    ),
    typed AS (
        SELECT
            k,
            CAST(position AS BIGINT)     AS position,     -- 1-based position of the move in the alignment
            CAST(CASE
                WHEN model_activity IS NULL AND model_side_moves > 0 THEN 'wrong order / repeated step'
                WHEN model_activity IS NULL THEN 'unexpected step'
                ELSE 'skipped step'
            END AS VARCHAR)              AS deviation_type,
            CAST(activity AS VARCHAR)    AS activity,     -- the step done (log move) or left out (model move)
            CAST(after_step AS VARCHAR)  AS after_step,   -- last designed step done before it (NULL: journey start)
            CAST(before_step AS VARCHAR) AS before_step   -- next designed step done after it (NULL: journey end)
        FROM counted
        WHERE NOT (log_activity IS NOT NULL AND model_activity IS NOT NULL)  -- synchronous moves are not deviations
          AND NOT (log_activity IS NULL AND log_moves > 0)                   -- its log move reports it as wrong order
    )
    SELECT
        p.variant,
        coalesce(
            list({'position': t.position, 'deviation_type': t.deviation_type, 'activity': t.activity,
                  'after_step': t.after_step, 'before_step': t.before_step} ORDER BY t.position)
                FILTER (WHERE t.k IS NOT NULL),
            CAST([] AS STRUCT(position BIGINT, deviation_type VARCHAR, activity VARCHAR, after_step VARCHAR, before_step VARCHAR)[])
        ) AS deviations
    FROM pending AS p
    LEFT JOIN typed AS t USING (k)
    GROUP BY p.k, p.variant
) AS d
WHERE c.model_hash = $model_hash AND c.method = $method AND c.variant = d.variant;
