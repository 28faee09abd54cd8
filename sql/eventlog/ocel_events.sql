-- Every event of an object-centric log (OCEL) imported with `cxmining import-log --object-type`, as pm4py reads it.
CREATE TABLE IF NOT EXISTS ocel_events (
    log_name   VARCHAR   NOT NULL, -- --name of the import; imported_events.event_id = log_name || ':' || event_id
    event_id   VARCHAR   NOT NULL, -- the event's id in the file
    activity   VARCHAR   NOT NULL, -- the event type
    ts         TIMESTAMP,          -- UTC
    attributes VARCHAR             -- JSON object of the event's attributes that have a value, values as text
);
