-- Every company's KPIs next to ours, one row per metric and company (ours first), as of the last comparison.
CREATE OR REPLACE TABLE benchmark_comparison AS
SELECT
    position,            -- order of the metrics (docs/benchmark.md)
    metric,              -- cxmining.benchmark.METRICS
    label,               -- readable name
    unit,                -- per order, per journey, share, hours, days
    company,             -- 'ours', or the benchmark's --company
    basis,               -- 'journeys' (measured here from journeys) or 'published'
    value,               -- NULL: the company has no such figure
    n,                   -- journeys behind the figure (contacts for failure_demand_contact_share)
    ours,                -- our value of the metric
    ours_n,
    difference,          -- value - ours (NULL on our own rows)
    relative_difference, -- value / ours - 1
    source,              -- where the figure comes from
    period,              -- period it covers
    computed_at          -- UTC; our figures are as of this moment
FROM kpi_comparison
ORDER BY company <> 'ours', company, position;
