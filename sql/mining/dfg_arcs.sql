-- Working table of one mining run (temporary): per pair of activities that follow each other within a case, how often,
-- and the time between them in whole microseconds; dfg.sql names them. (On a cluster: dfg_arcs_of_partials.sql.)
CREATE OR REPLACE TEMP TABLE dfg_arcs AS
WITH positions AS (
    SELECT codes, times_us, unnest(range(1, len(codes))) AS i
    FROM case_traces
),
steps AS (
    SELECT codes[i] AS source_id, codes[i + 1] AS target_id, times_us[i + 1] - times_us[i] AS gap_us
    FROM positions
)
SELECT
    source_id, target_id,
    count(*) AS frequency,
    avg(gap_us) AS mean_us, median(gap_us) AS median_us,
    min(gap_us) AS min_us, max(gap_us) AS max_us, sum(gap_us) AS sum_us
FROM steps
GROUP BY source_id, target_id;
