-- Stable codes of the activities: the compact integers case_traces holds, given once per activity and never changed
-- (activity_stats.activity_id ranks by frequency and moves as the journeys change).
CREATE TABLE IF NOT EXISTS activity_codes (
    activity VARCHAR, -- activity name
    code     INTEGER  -- 1, 2, ... in the order the activities were first seen
);
