-- The journey build (journey_build.generation) the per-journey demand tables reflect, and a hash of the rules and SQL
-- they were made with: the next run updates them for the journeys changed since, or makes them again.
CREATE TABLE IF NOT EXISTS demand_build (
    generation   BIGINT,  -- journey_build.generation
    rules_sha256 VARCHAR  -- the rule parameters they read and their SQL
);
