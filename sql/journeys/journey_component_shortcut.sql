-- Statement: pointer jumping after a round: each node takes its root's root (a node of the same component, smaller),
-- so long chains settle in a few rounds rather than one round per link.
UPDATE journey_components AS c SET root = p.root
FROM journey_components AS p
WHERE p.node = c.root AND p.root < c.root;
