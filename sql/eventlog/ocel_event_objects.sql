-- Which objects each event of an imported object-centric log (OCEL) involves (the event-to-object relation, E2O).
CREATE TABLE IF NOT EXISTS ocel_event_objects (
    log_name  VARCHAR NOT NULL, -- --name of the import
    event_id  VARCHAR NOT NULL, -- ocel_events.event_id
    object_id VARCHAR NOT NULL, -- ocel_objects.object_id
    qualifier VARCHAR           -- the role of the object in the event, as in the file; NULL when it gives none
);
