-- OCEL 2.0 objects of the exported events, with the attributes that are not personal: a product's name, category and
-- price (raw_products), a journey's type. Customers, orders, calls and sessions carry only their id.
CREATE OR REPLACE TEMP TABLE ocel_objects AS
WITH objects AS (SELECT DISTINCT object_id, object_type, source_id FROM ocel_relations),
products AS (
    SELECT product_id, any_value(name) AS name, any_value(category) AS category, any_value(price) AS price
    FROM raw_products GROUP BY product_id
),
journey_types AS (SELECT DISTINCT "case:concept:name" AS journey_id, "case:journey_type" AS journey_type FROM export_events)
SELECT
    o.object_id,
    o.object_type,
    CAST(p.name AS VARCHAR)         AS name,          -- products only
    CAST(p.category AS VARCHAR)     AS category,      -- products only
    CAST(p.price AS DOUBLE)         AS price,         -- products only; NULL when the catalogue has none
    CAST(j.journey_type AS VARCHAR) AS journey_type   -- journeys only
FROM objects AS o
LEFT JOIN products AS p ON o.object_type = 'product' AND p.product_id = o.source_id
LEFT JOIN journey_types AS j ON o.object_type = 'journey' AND j.journey_id = o.source_id;
