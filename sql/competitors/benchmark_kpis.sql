-- Published figures of other companies (annual reports, industry studies), one per company and metric.
CREATE TABLE IF NOT EXISTS benchmark_kpis (
    company     VARCHAR   NOT NULL, -- company column of the table or --company; re-importing a company replaces all its rows
    metric      VARCHAR   NOT NULL, -- one of the metrics of docs/benchmark.md (cxmining.benchmark.METRICS)
    value       DOUBLE    NOT NULL, -- in the metric's unit; shares as fractions (0.35, not 35)
    n           BIGINT,             -- journeys (or contacts) behind the figure, when published
    source      VARCHAR,            -- where the figure was published
    period      VARCHAR,            -- period it covers, as published
    source_file VARCHAR   NOT NULL, -- name of the imported file
    file_row    BIGINT    NOT NULL, -- 1-based row of the figure in that file (CSV data row or YAML list item)
    imported_at TIMESTAMP NOT NULL  -- UTC time of the import
);
