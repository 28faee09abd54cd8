-- The journeys the last incremental build changed, for the steps after it: 'added', 'removed' or 'rebuilt' (a
-- journey rebuilt may come out the same). Empty after a full rebuild (journey_build.mode = 'full'): everything changed.
CREATE OR REPLACE TABLE journey_changes (
    journey_id VARCHAR, -- journeys.journey_id
    change     VARCHAR  -- added | removed | rebuilt
);
