-- Today's regime simulated against what was observed, calls by reason last.
SELECT figure, observed, simulated, simulated_low, simulated_high, tolerance, within, note, replications, seed,
       simulated_at, days
FROM whatif_validation ORDER BY figure LIKE 'calls: %', figure;
