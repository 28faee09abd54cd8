-- Working table of one explorer request (temporary): the journeys in the conformance scope whose variant shows the
-- deviation ($deviation_type, $activity), typed as `deviations` types it (deviation_moves, built just before).
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT DISTINCT CAST(c.case_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM deviation_moves AS m
JOIN case_variants AS c USING (variant_id)
JOIN journeys AS j ON j.journey_id = c.case_id
WHERE m.deviation_type = $deviation_type AND m.activity = $activity
  AND (j.journey_type IN (SELECT journey_type FROM conformance_summary)
       OR EXISTS (SELECT 1 FROM conformance_summary WHERE journey_type = 'all'));
