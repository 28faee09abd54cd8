-- Working table (temporary): every figure of every company, measured from journeys or published, with its source.
CREATE OR REPLACE TEMP TABLE kpi_values AS
WITH logs AS (
    SELECT company, any_value(source) AS source, any_value(period) AS period
    FROM benchmark_events
    GROUP BY company
)
SELECT
    m.company,
    m.metric,
    m.value,
    m.n,
    'journeys'                                          AS basis,   -- measured here from journeys
    CASE WHEN m.company = 'ours' THEN 'the journeys in this store' ELSE l.source END AS source,
    coalesce(l.period, m.data_period)                   AS period
FROM measured_kpis AS m
LEFT JOIN logs AS l USING (company)
UNION ALL
SELECT company, metric, value, n, 'published', source, period
FROM benchmark_kpis;
