-- The flagged concentrations of contacts in a customer segment, largest excess first.
SELECT segment, value, measure, label, unit, units, units_with, share, other_share, excess, rate_ratio, q_value
FROM failure_demand_segments
WHERE flagged
ORDER BY excess DESC, segment, value, measure, label;
