-- Working table of one mining run (temporary): each variant (activity code list) with its cases and their durations;
-- mining_variants.sql names and ranks them. (On a cluster: variant_stats_of_partials.sql.)
CREATE OR REPLACE TEMP TABLE variant_stats AS
SELECT
    codes,
    count(*) AS frequency,
    avg(list_max(times_us) - list_min(times_us)) / 1e6 AS mean_duration_seconds,
    median(list_max(times_us) - list_min(times_us)) / 1e6 AS median_duration_seconds
FROM case_traces
GROUP BY codes;
