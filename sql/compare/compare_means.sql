-- Working table of one comparison (temporary): compared means (count, mean, standard deviation in each period), per segment.
CREATE OR REPLACE TEMP TABLE compare_means AS
WITH per_measure AS (
    SELECT 'calls per journey' AS measure, segment, period, calls AS value FROM compare_journeys WHERE measured
    UNION ALL
    SELECT 'events per journey', segment, period, events FROM compare_journeys WHERE measured
)
SELECT
    CAST('journeys' AS VARCHAR) AS unit,                                   -- what is counted
    CAST(measure AS VARCHAR) AS measure,                                   -- readable name of the mean
    CAST(segment AS VARCHAR) AS segment,                                   -- '(all)' or a value of the segment
    CAST(count(*) FILTER (WHERE period = 'before') AS BIGINT) AS n_before, -- journeys, before
    CAST(avg(value) FILTER (WHERE period = 'before') AS DOUBLE) AS mean_before,
    CAST(stddev_samp(value) FILTER (WHERE period = 'before') AS DOUBLE) AS sd_before,
    CAST(count(*) FILTER (WHERE period = 'after') AS BIGINT) AS n_after,   -- journeys, after
    CAST(avg(value) FILTER (WHERE period = 'after') AS DOUBLE) AS mean_after,
    CAST(stddev_samp(value) FILTER (WHERE period = 'after') AS DOUBLE) AS sd_after
FROM per_measure
GROUP BY measure, segment
ORDER BY measure, segment;
