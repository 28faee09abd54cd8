-- Working table (temporary): the stored journey_assignment rows tonight's build may replace: the rows of the rebuilt
-- journeys (journey_rebuilt), of the changed and gone stitched events, and of the events journey_new_assignment places
-- (one of them in a journey not rebuilt is a stray: the build cannot be confined). Picked by event number over narrow
-- columns first, then read whole.
CREATE OR REPLACE TEMP TABLE journey_assignment_before AS
WITH picked AS (
    SELECT a.event_no FROM journey_assignment AS a SEMI JOIN journey_rebuilt AS r ON r.journey_id = a.journey_id
    UNION
    SELECT old_event_no FROM journey_stitch_changes WHERE old_event_no IS NOT NULL
    UNION
    SELECT event_no FROM journey_new_assignment
)
SELECT a.* FROM journey_assignment AS a SEMI JOIN picked USING (event_no);
