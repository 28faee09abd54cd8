-- Statement: one round of label propagation: each node takes the smallest root among its neighbours when that is
-- smaller than its own (journey_components, journey_key_edges). Nothing changes once every component has one root.
UPDATE journey_components AS c SET root = n.root
FROM (
    SELECT e.a AS node, min(r.root) AS root
    FROM journey_key_edges AS e JOIN journey_components AS r ON r.node = e.b
    GROUP BY e.a
) AS n
WHERE n.node = c.node AND n.root < c.root;
