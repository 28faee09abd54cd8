-- Working view of one explorer request (temporary), when failure demand has not run: a journey's product is the first
-- ordered product `journeys` keeps (journeys without an order have none).
CREATE OR REPLACE TEMP VIEW product_journeys AS
SELECT CAST(journey_id AS VARCHAR) AS journey_id, CAST(product_id AS VARCHAR) AS product_id
FROM journeys
WHERE product_id IS NOT NULL;
