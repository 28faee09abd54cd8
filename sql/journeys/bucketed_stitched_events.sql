-- Query: the stitched events of a cluster build (journey_full_stitched), with the columns the journey rules read
-- (journey_assignment_of.sql, journeys_of.sql; no personal data) and each event's bucket: a stable hash (MD5) of the
-- key of its component's root (journey_components: the smallest customer id of a component with customers, so a
-- customer alone with their orders and sessions lands where sql/mining/bucketed_traces.sql puts their journeys),
-- of its event id without any key, modulo $buckets. Every journey's events and anchors share a component.
SELECT
    e.event_no, e.event_id, e.ts, e.source, e.channel, e.status, e.stitched_customer_id, e.stitch_rule, e.order_id,
    e.product_id, e.session_id, e.visitor_id, e.event_type, e.reason_code, e.sales_channel,
    CAST(md5_number_upper(coalesce(k.key, e.event_id)) % $buckets AS INTEGER) AS bucket -- 0 .. $buckets - 1
FROM journey_full_stitched AS e
JOIN journey_event_nodes AS n USING (event_no)
LEFT JOIN journey_components AS c ON c.node = n.first_node
LEFT JOIN journey_key_nodes AS k ON k.node = c.root;
