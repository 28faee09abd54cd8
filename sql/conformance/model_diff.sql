-- model_diff: activities and directly-follows transitions of the design (design_footprint) next to those of the journeys in scope (model_diff_journeys).
CREATE OR REPLACE TABLE model_diff AS
WITH scoped AS (
    SELECT e."case:concept:name" AS journey_id, e."concept:name" AS activity, e.event_order
    FROM journey_events AS e
    SEMI JOIN model_diff_journeys AS j ON j.journey_id = e."case:concept:name"
),
steps AS (
    SELECT journey_id, activity AS source,
           lead(activity) OVER (PARTITION BY journey_id ORDER BY event_order) AS target
    FROM scoped
),
reality AS (
    SELECT 'activity' AS kind, activity AS source, NULL AS target,
           count(DISTINCT journey_id) AS journeys, count(*) AS frequency
    FROM scoped
    GROUP BY activity
    UNION ALL
    SELECT 'transition', source, target, count(DISTINCT journey_id), count(*)
    FROM steps
    WHERE target IS NOT NULL
    GROUP BY source, target
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
