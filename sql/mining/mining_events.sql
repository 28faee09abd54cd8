-- Working table of one mining run (temporary): the columns of journey_events the statistics read, for every case
-- ($everything) or for the cases changed since the last run (changed_journeys).
CREATE OR REPLACE TEMP TABLE mining_events AS
SELECT
    "case:concept:name", -- case (journey) identifier
    "concept:name",      -- activity
    "time:timestamp",    -- UTC
    event_order,         -- position in the case: the only order statistics use
    lane                 -- part of the organisation (may be NULL)
FROM journey_events
WHERE "concept:name" IS NOT NULL
  AND ($everything OR "case:concept:name" IN (SELECT journey_id FROM changed_journeys));
