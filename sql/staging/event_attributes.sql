-- The further attributes of each event a mapping declared (docs/contract.md), without personal ones: join events on
-- event_id, e.g. SELECT a.value, count(*) FROM events JOIN event_attributes AS a USING (event_id)
-- WHERE a.attribute = 'theme' GROUP BY 1.
CREATE OR REPLACE VIEW event_attributes AS
SELECT
    r.event_id,             -- events.event_id
    r.attribute,            -- attribute_dictionary.name
    d.type,                 -- text | integer | decimal | timestamp
    r.value,                -- as text
    r.number,               -- integer and decimal attributes
    r.time                  -- timestamp attributes, UTC
FROM raw_attributes AS r
JOIN attribute_dictionary AS d ON d.kind = 'attribute' AND d.source = r.source AND d.name = r.attribute
WHERE NOT d.personal;
