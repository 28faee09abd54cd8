-- One row per case (journey): when it starts and ends, and how many events it has. Kept from night to night: a run
-- replaces the rows of the traces it changed (trace_changes), or all of them ($everything).
CREATE TABLE IF NOT EXISTS case_durations (
    case_id          VARCHAR,   -- case (journey) identifier
    start_time       TIMESTAMP, -- time of the case's first event, UTC
    end_time         TIMESTAMP, -- time of the case's last event, UTC
    duration_seconds DOUBLE,    -- end_time - start_time, seconds
    events           BIGINT     -- number of events in the case
);
