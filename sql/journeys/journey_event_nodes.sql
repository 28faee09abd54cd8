-- Working table (temporary): the key nodes (journey_key_nodes) of each event of journey_full_stitched: its owner (the
-- stitched customer, else the browser of an anonymous web event), the order it names and its web session. The
-- journey rules read an event together with those: its owner's journeys without an order, the order's journey, the
-- session's order (docs/scaling.md). `first_node` is the first of them present: the event goes where it goes.
CREATE OR REPLACE TEMP TABLE journey_event_nodes AS
SELECT
    e.event_no,
    coalesce(c.node, v.node, o.node, s.node) AS first_node, -- NULL: no key at all (such an event is in no journey)
    c.node AS customer_node, v.node AS visitor_node, o.node AS order_node, s.node AS session_node
FROM journey_full_stitched AS e
LEFT JOIN journey_key_nodes AS c ON c.kind = 'c' AND c.key = e.stitched_customer_id
LEFT JOIN journey_key_nodes AS v ON v.kind = 'v' AND v.key = e.visitor_id
     AND e.stitched_customer_id IS NULL AND e.source = 'web'
LEFT JOIN journey_key_nodes AS o ON o.kind = 'o' AND o.key = e.order_id
LEFT JOIN journey_key_nodes AS s ON s.kind = 's' AND s.key = e.session_id;
