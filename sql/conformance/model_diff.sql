-- model_diff: activities and directly-follows transitions of the design (design_footprint) next to those of the journeys in scope (model_diff_journeys).
-- Reality is read from the journeys' variants (case_variants, variants.activity_ids): each variant counted once with its journeys in scope.
CREATE OR REPLACE TABLE model_diff AS
WITH scoped AS (
    SELECT c.variant_id, count(*) AS journeys
    FROM case_variants AS c
    SEMI JOIN model_diff_journeys AS j ON j.journey_id = c.case_id
    GROUP BY c.variant_id
),
traced AS (
    SELECT s.variant_id, s.journeys, v.activity_ids AS ids
    FROM scoped AS s
    JOIN variants AS v USING (variant_id)
),
activities AS (  -- per variant and activity: how often it occurs in the variant
    SELECT variant_id, any_value(journeys) AS journeys, id, count(*) AS occurrences
    FROM (SELECT variant_id, journeys, unnest(ids) AS id FROM traced)
    GROUP BY variant_id, id
),
steps AS (  -- per variant and directly-follows pair: how often it occurs in the variant
    SELECT variant_id, any_value(journeys) AS journeys, source_id, target_id, count(*) AS occurrences
    FROM (SELECT variant_id, journeys, ids[i] AS source_id, ids[i + 1] AS target_id
          FROM (SELECT variant_id, journeys, ids, unnest(range(1, len(ids))) AS i FROM traced))
    GROUP BY variant_id, source_id, target_id
),
reality AS (
    SELECT 'activity' AS kind, a.activity AS source, NULL AS target,
           sum(e.journeys) AS journeys, sum(e.journeys * e.occurrences) AS frequency
    FROM activities AS e JOIN activity_stats AS a ON a.activity_id = e.id
    GROUP BY a.activity
    UNION ALL
    SELECT 'transition', s.activity, t.activity, sum(p.journeys), sum(p.journeys * p.occurrences)
    FROM steps AS p
    JOIN activity_stats AS s ON s.activity_id = p.source_id
    JOIN activity_stats AS t ON t.activity_id = p.target_id
    GROUP BY s.activity, t.activity
)
SELECT
    CAST(coalesce(d.kind, r.kind) AS VARCHAR)       AS kind,        -- activity, or transition (directly follows)
    CAST(coalesce(d.source, r.source) AS VARCHAR)   AS source,      -- the activity, or the transition's earlier step
    CAST(coalesce(d.target, r.target) AS VARCHAR)   AS target,      -- the transition's later step; NULL for an activity
    d.kind IS NOT NULL                              AS in_design,   -- a task of the design / a pair its net lets directly follow
    r.kind IS NOT NULL                              AS in_reality,  -- seen in the journeys in scope
    CAST(coalesce(r.journeys, 0) AS BIGINT)         AS journeys,    -- journeys in scope showing it
    CAST(coalesce(r.frequency, 0) AS BIGINT)        AS frequency    -- events (activity) or times it happens (transition)
FROM design_footprint AS d
FULL OUTER JOIN reality AS r
  ON r.kind = d.kind AND r.source = d.source AND r.target IS NOT DISTINCT FROM d.target
ORDER BY kind, in_design AND in_reality, in_reality DESC, journeys DESC, source, target;
