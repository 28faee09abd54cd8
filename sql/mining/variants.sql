-- One row per variant (distinct activity sequence of a case), most frequent first, with its case durations.
CREATE OR REPLACE TABLE variants AS
SELECT
    variant_id,                                                      -- rank: 1 = most frequent, ties by variant text
    CAST(activities AS VARCHAR[]) AS activities,                     -- the activities in case order
    CAST(variant AS VARCHAR) AS variant,                             -- activities joined with ','
    CAST(frequency AS BIGINT) AS frequency,                          -- number of cases following the variant
    CAST(frequency AS DOUBLE) / sum(frequency) OVER () AS share,     -- frequency / number of cases
    CAST(mean_duration_seconds AS DOUBLE) AS mean_duration_seconds,  -- mean case duration, seconds
    CAST(median_duration_seconds AS DOUBLE) AS median_duration_seconds, -- median case duration, seconds
    CAST(activity_ids AS INTEGER[]) AS activity_ids                  -- activities as activity_stats.activity_id (compact join key)
FROM mining_variants
ORDER BY variant_id;
