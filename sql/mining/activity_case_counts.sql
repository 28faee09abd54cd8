-- Kept from night to night: per activity code, its events and the cases with at least one of them, over case_traces;
-- a run adds what it changed (trace_changes) to the counts of the last one, or counts every trace ($everything).
-- activity_stats reads it. (Integers: the sums are exact whatever their order.)
CREATE TABLE IF NOT EXISTS activity_case_counts (
    code   INTEGER, -- activity_codes.code
    events BIGINT,  -- events with this activity
    cases  BIGINT   -- cases with at least one
);
