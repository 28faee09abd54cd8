-- Each case as lists in event order: activity codes, event times and lanes. Kept from night to night and updated for
-- the journeys that changed (cxmining.mining.statistics); every statistic is derived from it.
CREATE TABLE IF NOT EXISTS case_traces (
    case_id  VARCHAR,   -- case (journey) identifier
    codes    INTEGER[], -- activity_codes.code per event (event_order breaks ties in time)
    times_us BIGINT[],  -- event times, µs since 1970 UTC
    lanes    VARCHAR[]  -- the lane of each event (NULL where unknown)
);
