-- Working table of one mining run on the cluster (temporary): dfg_arcs (as sql/mining/dfg_arcs.sql defines it) merged
-- from the buckets' counts of each time between two activities ($dfg_gaps): each count streamed back as that many
-- steps into DuckDB's own aggregates, so frequency, mean, median (interpolated), min, max and sum are exactly those of
-- one process.
CREATE OR REPLACE TEMP TABLE dfg_arcs AS
SELECT
    source_id, target_id,
    count(*) AS frequency,
    avg(gap_us) AS mean_us, median(gap_us) AS median_us,
    min(gap_us) AS min_us, max(gap_us) AS max_us, sum(gap_us) AS sum_us
FROM read_parquet($dfg_gaps) AS p, range(p.steps)  -- each counted gap as often as it was counted
GROUP BY source_id, target_id;
