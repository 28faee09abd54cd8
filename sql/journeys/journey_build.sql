-- How the journeys were last built: with which rules and SQL (a change of either rebuilds them all), and how.
CREATE TABLE IF NOT EXISTS journey_build (
    lookback_days INTEGER,   -- JourneyRules.lookback_days
    quiet_days    INTEGER,   -- JourneyRules.quiet_days
    sql_sha256    VARCHAR,   -- hash of the SQL that stitches events and builds journeys
    mode          VARCHAR,   -- 'full' (everything) or 'incremental' (what the night's files touched)
    built_at      TIMESTAMP  -- UTC
);
