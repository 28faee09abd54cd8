-- Working table of one mining run on the cluster (temporary): variant_stats (as sql/mining/variant_stats.sql defines
-- it) merged from the buckets' counts of each case duration per variant ($variant_durations): each count streamed back
-- as that many cases into DuckDB's own aggregates, so the frequency, mean and median are exactly those of one process.
CREATE OR REPLACE TEMP TABLE variant_stats AS
SELECT
    codes,
    count(*) AS frequency,
    avg(duration_us) / 1e6 AS mean_duration_seconds,
    median(duration_us) / 1e6 AS median_duration_seconds
FROM read_parquet($variant_durations) AS p, range(p.cases)  -- each counted duration as often as it was counted
GROUP BY codes;
