-- Working table (temporary): the events whose stored journey_assignment row journey_new_assignment holds again,
-- identically: they stay as they are; only the other rows of journey_assignment_before are deleted and only the other
-- new rows inserted, so that a night writes what changed rather than every event of every rebuilt journey.
CREATE OR REPLACE TEMP TABLE journey_assignment_kept AS
SELECT event_no FROM (
    SELECT * FROM journey_assignment_before
    INTERSECT ALL
    SELECT * FROM journey_new_assignment
);
