-- One row per event of an event log imported with `cxmining import-log`, in UTC, ordered within its case.
CREATE TABLE IF NOT EXISTS imported_events (
    log_name    VARCHAR   NOT NULL, -- --name of the import (default: file stem); re-importing a name replaces its rows
    event_id    VARCHAR   NOT NULL, -- '<log_name>:<row number>', row number 1-based in file order (data rows, header excluded)
    case_id     VARCHAR   NOT NULL,
    activity    VARCHAR   NOT NULL,
    ts          TIMESTAMP NOT NULL, -- UTC; naive source timestamps were read in the --timezone of the import
    event_order BIGINT    NOT NULL, -- 1-based position in the case: by ts, ties by file order (pm4py's order)
    lane        VARCHAR,            -- part of the organisation (e.g. org:group); NULL when no --lane was given
    lifecycle   VARCHAR,            -- lifecycle transition as in the file; NULL when the log has none
    imported_at TIMESTAMP NOT NULL  -- UTC time of the import; the latest import is the one journey_events shows
);
