-- The events to export when the store holds an imported log (cxmining import-log): its journey_events as they are;
-- an imported log has no journeys table, so no case attributes and no objects.
CREATE OR REPLACE TEMP TABLE export_events AS
SELECT
    e."case:concept:name",      -- case id of the log
    e."concept:name",           -- activity
    e."time:timestamp",         -- UTC
    e.event_order,              -- 1-based position in the case (pm4py's order)
    e.lane,                     -- NULL unless the import mapped one
    e.event_id                  -- '<log_name>:<row number>'
FROM journey_events AS e;
