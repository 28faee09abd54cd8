-- One row per distinct landing-file content (keyed by sha256): where its rows went.
-- rows_read = rows_loaded + rows_quarantined + rows_duplicate for every loaded file.
CREATE TABLE IF NOT EXISTS ingested_files (
    sha256           VARCHAR   NOT NULL, -- content hash: a renamed or re-sent copy has the same hash
    source           VARCHAR   NOT NULL, -- landing sub-folder: calls, web, orders, products, customers
    path             VARCHAR   NOT NULL, -- path relative to the landing folder when it was first seen
    size_bytes       BIGINT    NOT NULL,
    status           VARCHAR   NOT NULL, -- loaded | rejected (whole file refused, retried next run)
    error            VARCHAR,            -- why a rejected file was refused
    rows_read        BIGINT,             -- data records in the file (header excluded, blank lines ignored)
    rows_loaded      BIGINT,             -- inserted into the raw table, or updating a dimension row
    rows_quarantined BIGINT,             -- written to quarantine with a reason
    rows_duplicate   BIGINT,             -- identical to a row already loaded (or earlier in the file)
    run_id           VARCHAR   NOT NULL, -- run that (last) handled the file
    ingested_at      TIMESTAMP NOT NULL  -- UTC
);
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS modified_ns BIGINT; -- the delivery's modification time (ns since 1970)
