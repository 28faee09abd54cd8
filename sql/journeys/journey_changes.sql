-- The journeys each incremental build added, removed or rebuilt (a journey rebuilt may come out the same), kept for
-- the last builds: the steps after the journeys update only these. A full build lists none: everything changed.
CREATE TABLE IF NOT EXISTS journey_changes (
    generation BIGINT,  -- journey_build.generation
    journey_id VARCHAR, -- journeys.journey_id (as it was, for 'removed')
    change     VARCHAR  -- added | removed | rebuilt
);
