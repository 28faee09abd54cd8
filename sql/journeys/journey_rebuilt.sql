-- Working table (temporary): the journeys built again tonight, before and after: those the affected customers and
-- browsers owned and own now.
CREATE OR REPLACE TEMP TABLE journey_rebuilt AS
WITH before AS (SELECT journey_id FROM journeys WHERE journey_owned(journey_id)),
after AS (SELECT DISTINCT journey_id FROM journey_new_assignment)
SELECT
    coalesce(a.journey_id, b.journey_id) AS journey_id,
    CASE WHEN b.journey_id IS NULL THEN 'added' WHEN a.journey_id IS NULL THEN 'removed' ELSE 'rebuilt' END AS change
FROM before AS b
FULL OUTER JOIN after AS a ON a.journey_id = b.journey_id;
