-- Every object of an imported object-centric log (OCEL), with its type: the cases of a flattening are the objects of one type.
CREATE TABLE IF NOT EXISTS ocel_objects (
    log_name    VARCHAR NOT NULL, -- --name of the import
    object_id   VARCHAR NOT NULL, -- the object's id in the file; imported_events.case_id when flattened on its type
    object_type VARCHAR NOT NULL, -- e.g. orders, items
    attributes  VARCHAR           -- JSON object of the object's first attribute values that are set, values as text
);
