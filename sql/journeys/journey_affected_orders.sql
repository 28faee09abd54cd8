-- Working table (temporary): the orders of the affected customers (journey_affected_customers, once settled): their
-- journeys are built again whole.
CREATE OR REPLACE TEMP TABLE journey_affected_orders AS
SELECT DISTINCT o.order_id FROM raw_orders AS o
SEMI JOIN journey_affected_customers AS c ON c.customer_id = o.customer_id;
