-- Query: customers not yet affected who share a web session or an order with an affected customer's events (their
-- journeys are built from the same session's or order's rules): the closure of journey_affected_customers, over the
-- keys more than one customer shares (journey_shared_keys).
SELECT DISTINCT k.customer_id
FROM journey_shared_keys AS k
SEMI JOIN (
    SELECT kind, key FROM journey_shared_keys
    WHERE customer_id IN (SELECT customer_id FROM journey_affected_customers)
) AS a ON a.kind = k.kind AND a.key = k.key
WHERE k.customer_id NOT IN (SELECT customer_id FROM journey_affected_customers);
