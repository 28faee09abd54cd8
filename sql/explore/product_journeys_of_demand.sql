-- Working view of one explorer request (temporary): the products each journey is about, as failure demand counts them
-- (journey_products: every line of its order, else the product viewed most).
CREATE OR REPLACE TEMP VIEW product_journeys AS
SELECT CAST(journey_id AS VARCHAR) AS journey_id, CAST(product_id AS VARCHAR) AS product_id
FROM journey_products;
