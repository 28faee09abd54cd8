-- Working table (temporary): the edges of the graph of keys, both ways: each event joins its order and its session
-- to its first node (journey_event_nodes), and each order line joins its order to its customer (a customer's
-- research and after-sales contacts go to that customer's orders).
CREATE OR REPLACE TEMP TABLE journey_key_edges AS
WITH one_way AS (
    SELECT first_node AS a, unnest([order_node, session_node]) AS b FROM journey_event_nodes WHERE first_node IS NOT NULL
    UNION
    SELECT c.node, o.node
    FROM (SELECT DISTINCT customer_id, order_id FROM raw_orders) AS r
    JOIN journey_key_nodes AS c ON c.kind = 'c' AND c.key = r.customer_id
    JOIN journey_key_nodes AS o ON o.kind = 'o' AND o.key = r.order_id
)
SELECT a, b FROM one_way WHERE b IS NOT NULL AND a <> b
UNION
SELECT b, a FROM one_way WHERE b IS NOT NULL AND a <> b;
