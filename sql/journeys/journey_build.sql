-- The journey builds, one row each: with which rules and SQL (a change of either rebuilds everything), and how.
-- The latest row is the journeys as they are; steps after the journeys update from the changes since the build they
-- last saw (journey_changes), or from scratch after a full build.
CREATE TABLE IF NOT EXISTS journey_build (
    generation    BIGINT,    -- 1, 2, ...: one more per build
    lookback_days INTEGER,   -- JourneyRules.lookback_days
    quiet_days    INTEGER,   -- JourneyRules.quiet_days
    sql_sha256    VARCHAR,   -- hash of the SQL that stitches events and builds journeys
    mode          VARCHAR,   -- 'full' (everything) or 'incremental' (what the night's files touched)
    built_at      TIMESTAMP  -- UTC
);
