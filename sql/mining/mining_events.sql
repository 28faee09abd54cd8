-- Working table of one mining run (temporary): the columns of journey_events the statistics read, read once.
-- journey_events is a view (a join in a landing store); the statistics scan it three times.
CREATE OR REPLACE TEMP TABLE mining_events AS
SELECT
    "case:concept:name", -- case (journey) identifier
    "concept:name",      -- activity
    "time:timestamp",    -- UTC
    event_order,         -- position in the case: the only order statistics use
    lane                 -- part of the organisation (may be NULL)
FROM journey_events;
