-- Macro: whether a journey (by its id: 'order:<order>', 'customer:<customer>:<n>', 'visitor:<browser>:<n>') belongs to
-- the affected customers (their orders, their journeys without an order) or to the affected browsers; such journeys
-- are built again whole, every other journey is left as it is.
CREATE OR REPLACE TEMP MACRO journey_owned(journey_id) AS
    (journey_id LIKE 'order:%' AND substr(journey_id, 7) IN (SELECT order_id FROM journey_affected_orders))
    OR (journey_id LIKE 'customer:%' AND regexp_extract(journey_id, '^customer:(.*):[0-9]+$', 1) IN (
        SELECT customer_id FROM journey_affected_customers))
    OR (journey_id LIKE 'visitor:%' AND regexp_extract(journey_id, '^visitor:(.*):[0-9]+$', 1) IN (
        SELECT visitor_id FROM journey_affected_visitors));
