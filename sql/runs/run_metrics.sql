-- The headline metrics of the store after each run, one row per run and metric (long format, for trends).
CREATE TABLE IF NOT EXISTS run_metrics (
    run_id      VARCHAR   NOT NULL, -- joins runs.run_id
    finished_at TIMESTAMP NOT NULL, -- runs.finished_at, repeated so a trend needs no join
    metric      VARCHAR   NOT NULL, -- e.g. journeys, fitness:order, failure_demand_journey_share (docs/data-dictionary.md)
    value       DOUBLE    NOT NULL
);
