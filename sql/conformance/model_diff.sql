-- model_diff: activities and directly-follows transitions of the design (design_footprint) next to those of the journeys in scope (model_diff_journeys).
-- Reality is read from the journeys' traces (case_traces: activity codes in event order).
CREATE OR REPLACE TABLE model_diff AS
WITH scoped AS (
    SELECT t.case_id AS journey_id, t.codes
    FROM case_traces AS t
    SEMI JOIN model_diff_journeys AS j ON j.journey_id = t.case_id
),
events AS (
    SELECT journey_id, unnest(codes) AS code FROM scoped
),
steps AS (
    SELECT journey_id, codes[i] AS source_code, codes[i + 1] AS target_code
    FROM (SELECT journey_id, codes, unnest(range(1, len(codes))) AS i FROM scoped)
),
reality AS (
    SELECT 'activity' AS kind, a.activity AS source, NULL AS target,
           count(DISTINCT e.journey_id) AS journeys, count(*) AS frequency
    FROM events AS e JOIN activity_codes AS a USING (code)
    GROUP BY a.activity
    UNION ALL
    SELECT 'transition', s.activity, t.activity, count(DISTINCT p.journey_id), count(*)
    FROM steps AS p
    JOIN activity_codes AS s ON s.code = p.source_code
    JOIN activity_codes AS t ON t.code = p.target_code
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
