-- What every event attribute and customer segment a mapping declared means: written by the ingest from the mapping
-- (docs/contract.md), kept for those declared by earlier mappings, whose values the store still holds.
CREATE TABLE IF NOT EXISTS attribute_dictionary (
    kind        VARCHAR NOT NULL, -- attribute (event_attributes) | segment (customer_segments)
    source      VARCHAR NOT NULL, -- the landing source whose column it is
    name        VARCHAR NOT NULL, -- the attribute's or segment's name
    file_column VARCHAR NOT NULL, -- the column of the delivered file
    type        VARCHAR NOT NULL, -- text | integer | decimal | timestamp (a segment is text)
    personal    BOOLEAN NOT NULL, -- personal data: kept in raw_attributes only, never shown
    doc         VARCHAR           -- what it means, from the mapping
);
