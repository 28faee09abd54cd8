-- Working table (temporary): every row of the orders with rows in the new files (an order's events come from all its lines).
CREATE OR REPLACE TEMP TABLE journey_scope_orders AS
SELECT * FROM raw_orders
WHERE order_id IN (SELECT o.order_id FROM raw_orders AS o SEMI JOIN journey_new_files AS f ON f.sha256 = o._file_sha256);
