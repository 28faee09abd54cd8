-- The landing files (by content) whose rows the journeys reflect: a night restitches only what later files touch.
CREATE TABLE IF NOT EXISTS journey_files (
    sha256 VARCHAR PRIMARY KEY -- ingested_files.sha256
);
