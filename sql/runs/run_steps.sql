-- Wall time of each step of each run, in the order the steps ran (a failed run has the steps it finished).
CREATE TABLE IF NOT EXISTS run_steps (
    run_id     VARCHAR   NOT NULL, -- joins runs.run_id
    step       VARCHAR   NOT NULL, -- e.g. ingest, journeys, process statistics, conformance (names as the flow laps them)
    started_at TIMESTAMP NOT NULL, -- UTC
    seconds    DOUBLE    NOT NULL, -- wall time of the step
    rows       BIGINT,             -- rows the step produced or read (e.g. rows read, journeys), NULL if not counted
    peak_mb    DOUBLE              -- peak resident memory of the run's process during the step, MB (Linux VmHWM); NULL: unknown, or recorded before cxmining measured it
);
-- stores made before the peak was recorded
ALTER TABLE run_steps ADD COLUMN IF NOT EXISTS peak_mb DOUBLE;
