-- One row per nightly run: its parameters, what it loaded and how it ended (re-recording a run_id replaces its row).
CREATE TABLE IF NOT EXISTS runs (
    run_id           VARCHAR   NOT NULL, -- Prefect flow-run id (joins ingested_files.run_id, quarantine.run_id)
    started_at       TIMESTAMP NOT NULL, -- UTC
    finished_at      TIMESTAMP NOT NULL, -- UTC, also for a failed run
    status           VARCHAR   NOT NULL, -- completed | partial (skipped pictures, what-if or report) | failed | interrupted
    parameters       JSON      NOT NULL, -- the flow's parameters, e.g. parameters->>'lookback_days'
    landing          VARCHAR   NOT NULL, -- landing folder read
    files_loaded     BIGINT    NOT NULL, -- new file contents loaded
    files_skipped    BIGINT    NOT NULL, -- files whose content was loaded before
    files_refused    BIGINT    NOT NULL, -- files refused as a whole (retried next run)
    rows_read        BIGINT    NOT NULL, -- data records in the loaded files
    rows_loaded      BIGINT    NOT NULL,
    rows_quarantined BIGINT    NOT NULL,
    rows_duplicate   BIGINT    NOT NULL,
    error            VARCHAR             -- why a failed run failed, what a partial run skipped (NULL when completed)
);
