-- Every landing row that was not loaded because it broke the contract, with where it came from and why.
CREATE TABLE IF NOT EXISTS quarantine (
    source         VARCHAR   NOT NULL, -- landing sub-folder
    file_sha256    VARCHAR   NOT NULL, -- joins ingested_files.sha256
    path           VARCHAR   NOT NULL, -- path relative to the landing folder
    line           BIGINT    NOT NULL, -- physical line where the record starts (header = 1); row number for Parquet
    reason         VARCHAR   NOT NULL, -- every rule the row breaks, separated by '; '
    raw_text       VARCHAR   NOT NULL, -- the record as it stands in the file (may hold personal data)
    run_id         VARCHAR   NOT NULL,
    quarantined_at TIMESTAMP NOT NULL  -- UTC
);
