-- Each scenario's key figures ($figures), in that order (every column: a store simulated by an older version has no
-- `currency`).
SELECT * FROM whatif_results WHERE list_contains($figures, figure)
ORDER BY scenario, list_position($figures, figure);
