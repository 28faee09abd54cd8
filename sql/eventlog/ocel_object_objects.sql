-- How the objects of an imported object-centric log (OCEL) relate to each other (the object-to-object relation, O2O).
CREATE TABLE IF NOT EXISTS ocel_object_objects (
    log_name       VARCHAR NOT NULL, -- --name of the import
    from_object_id VARCHAR NOT NULL, -- ocel_objects.object_id, e.g. an order
    to_object_id   VARCHAR NOT NULL, -- ocel_objects.object_id, e.g. one of its items
    qualifier      VARCHAR           -- the relation as named in the file (e.g. comprises); NULL when it gives none
);
