-- Kept from night to night: per activity code and lane, its events and the cases with at least one of them there, over
-- case_traces; a run adds what it changed (trace_changes) to the counts of the last one, or counts every trace
-- ($everything). activity_stats (the usual lane) and activity_lanes read it.
CREATE TABLE IF NOT EXISTS activity_lane_counts (
    code   INTEGER, -- activity_codes.code
    lane   VARCHAR, -- part of the organisation (NULL where unknown)
    events BIGINT,  -- events with this activity in this lane
    cases  BIGINT   -- cases with at least one
);
