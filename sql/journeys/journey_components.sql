-- Working table (temporary): each key node with the smallest node of its connected component (`root`), found by
-- rounds of journey_component_round.sql and journey_component_shortcut.sql until a round changes nothing; it
-- starts as every node its own root.
CREATE OR REPLACE TEMP TABLE journey_components AS
SELECT node, node AS root FROM journey_key_nodes;
