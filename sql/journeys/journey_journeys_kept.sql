-- Working table (temporary): the rebuilt journeys whose stored `journeys` row journey_new_journeys holds again,
-- identically: they stay as they are; only the other rebuilt journeys' rows are deleted and inserted.
CREATE OR REPLACE TEMP TABLE journey_journeys_kept AS
SELECT journey_id FROM (
    SELECT j.* FROM journeys AS j SEMI JOIN journey_rebuilt AS r ON r.journey_id = j.journey_id
    INTERSECT ALL
    SELECT * FROM journey_new_journeys
);
