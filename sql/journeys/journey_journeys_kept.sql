-- Working table (temporary): the rebuilt journeys whose stored `journeys` row journey_new_journeys holds again,
-- identically (both are rows of journeys_of.sql, column for column): they stay as they are; only the other rebuilt
-- journeys' rows are deleted and inserted.
CREATE OR REPLACE TEMP TABLE journey_journeys_kept AS
SELECT j.journey_id
FROM journeys AS j
JOIN journey_new_journeys AS n ON n.journey_id = j.journey_id
WHERE j IS NOT DISTINCT FROM n;
