-- Each scenario's key figures ($figures), in that order.
SELECT scenario, figure, today, today_low, today_high, scenario_value, scenario_low, scenario_high,
       change, change_low, change_high, replications, days, observations, note, currency
FROM whatif_results WHERE list_contains($figures, figure)
ORDER BY scenario, list_position($figures, figure);
