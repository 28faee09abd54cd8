-- Working table (temporary): the events whose stored journey_assignment row journey_new_assignment holds again,
-- identically (both are rows of journey_assignment_of.sql, column for column): they stay as they are; only the other
-- rows of journey_assignment_before are deleted and only the other new rows inserted, so that a night writes what
-- changed rather than every event of every rebuilt journey.
CREATE OR REPLACE TEMP TABLE journey_assignment_kept AS
SELECT b.event_no
FROM journey_assignment_before AS b
JOIN journey_new_assignment AS n ON n.event_no = b.event_no
WHERE b IS NOT DISTINCT FROM n;
