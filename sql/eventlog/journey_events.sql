-- The events of the most recently imported log, under pm4py's column names, ready for mining.
CREATE OR REPLACE VIEW journey_events AS
SELECT
    CAST(e.case_id AS VARCHAR)     AS "case:concept:name", -- case id
    CAST(e.activity AS VARCHAR)    AS "concept:name",      -- activity
    CAST(e.ts AS TIMESTAMP)        AS "time:timestamp",    -- UTC
    CAST(e.event_order AS BIGINT)  AS event_order,         -- 1-based position in the case
    CAST(e.lane AS VARCHAR)        AS lane,                -- part of the organisation, NULL if not mapped
    CAST(e.event_id AS VARCHAR)    AS event_id             -- '<log_name>:<row number>'
FROM imported_events AS e
-- imported_at is one value per import, so the newest import names exactly one log
WHERE e.log_name = (SELECT arg_max(log_name, imported_at) FROM imported_events);
