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
    SELECT s.journeys, v.activity_ids AS ids
    FROM scoped AS s
    JOIN variants AS v USING (variant_id)
),
steps AS (  -- each variant's directly-follows pairs
    SELECT journeys, list_transform(range(1, len(ids)), lambda i: {'source_id': ids[i], 'target_id': ids[i + 1]}) AS pairs
    FROM traced
),
activity_events AS (  -- a variant's journeys once per occurrence of the activity
    SELECT id, sum(journeys) AS frequency FROM (SELECT journeys, unnest(ids) AS id FROM traced) GROUP BY id
),
activity_journeys AS (  -- and once per variant showing it
    SELECT id, sum(journeys) AS journeys FROM (SELECT journeys, unnest(list_distinct(ids)) AS id FROM traced) GROUP BY id
),
step_events AS (
    SELECT pair, sum(journeys) AS frequency FROM (SELECT journeys, unnest(pairs) AS pair FROM steps) GROUP BY pair
),
step_journeys AS (
    SELECT pair, sum(journeys) AS journeys FROM (SELECT journeys, unnest(list_distinct(pairs)) AS pair FROM steps) GROUP BY pair
),
reality AS (
    SELECT 'activity' AS kind, a.activity AS source, NULL AS target, j.journeys, e.frequency
    FROM activity_events AS e
    JOIN activity_journeys AS j USING (id)
    JOIN activity_stats AS a ON a.activity_id = e.id
    UNION ALL
    SELECT 'transition', s.activity, t.activity, j.journeys, e.frequency
    FROM step_events AS e
    JOIN step_journeys AS j USING (pair)
    JOIN activity_stats AS s ON s.activity_id = e.pair.source_id
    JOIN activity_stats AS t ON t.activity_id = e.pair.target_id
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
