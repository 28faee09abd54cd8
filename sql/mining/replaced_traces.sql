-- Working table of one mining run (temporary): the traces in case_traces of the cases about to be read again
-- (changed_journeys), as they were before: what the kept counts (activity_case_counts, activity_lane_counts) take out.
CREATE OR REPLACE TEMP TABLE replaced_traces AS
SELECT t.*
FROM case_traces AS t
WHERE t.case_id IN (SELECT journey_id FROM changed_journeys);
