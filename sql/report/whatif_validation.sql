-- Today's regime simulated against what was observed, calls by reason last (every column: a store simulated by an
-- older version has no `days`, and the report then shows its figures over the period).
SELECT * FROM whatif_validation ORDER BY figure LIKE 'calls: %', figure;
