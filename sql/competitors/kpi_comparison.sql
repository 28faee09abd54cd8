-- Working table (temporary): every company's KPIs next to ours, one row per metric and company (ours included).
CREATE OR REPLACE TEMP TABLE kpi_comparison AS
WITH companies AS (
    SELECT DISTINCT company FROM kpi_values
    UNION
    SELECT 'ours'
)
SELECT
    CAST(m.position AS INTEGER)                          AS position,     -- order of the metrics in docs/benchmark.md
    CAST(m.metric AS VARCHAR)                            AS metric,
    CAST(m.label AS VARCHAR)                             AS label,        -- readable name
    CAST(m.unit AS VARCHAR)                              AS unit,         -- per order, share, hours, days
    c.company,                                                            -- 'ours', or the benchmark's --company
    v.basis,                                                              -- 'journeys' (measured here) or 'published'
    v.value,                                                              -- NULL: the company has no such figure
    v.n,                                                                  -- journeys (contacts) behind the figure
    o.value                                              AS ours,
    o.n                                                  AS ours_n,
    CASE WHEN c.company <> 'ours' THEN v.value - o.value END              AS difference,          -- theirs - ours
    CASE WHEN c.company <> 'ours' THEN v.value / nullif(o.value, 0) - 1 END AS relative_difference, -- theirs / ours - 1
    v.source,
    v.period,
    CAST($computed_at AS TIMESTAMP)                      AS computed_at   -- UTC; ours are as of this moment
FROM benchmark_metrics AS m
CROSS JOIN companies AS c
LEFT JOIN kpi_values AS v ON v.company = c.company AND v.metric = m.metric
LEFT JOIN kpi_values AS o ON o.company = 'ours' AND o.metric = m.metric
ORDER BY c.company <> 'ours', c.company, m.position;
