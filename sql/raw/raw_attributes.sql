-- The further columns a mapping carries on each event (`attributes:` of the calls or web section, docs/contract.md), one
-- row per event and attribute with a value; typed by the attribute's type (attribute_dictionary). Personal attributes
-- are kept here only: the event_attributes view leaves them out.
CREATE TABLE IF NOT EXISTS raw_attributes (
    source       VARCHAR   NOT NULL, -- calls | web
    event_id     VARCHAR   NOT NULL, -- events.event_id
    attribute    VARCHAR   NOT NULL, -- its name in the mapping
    value        VARCHAR   NOT NULL, -- the value as text (a timestamp in UTC, ISO 8601)
    number       DOUBLE,             -- integer and decimal attributes: the number
    time         TIMESTAMP,          -- timestamp attributes: the time, UTC
    _file_sha256 VARCHAR   NOT NULL
);
