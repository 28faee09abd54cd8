-- Query: one bucket's part of the variants: per variant (activity codes) and case duration, how many cases. Counts of
-- each distinct value merge exactly into the frequency, the mean and the median.
SELECT
    codes,                                                              -- the variant as activity codes
    CAST(list_max(times_us) - list_min(times_us) AS BIGINT) AS duration_us, -- a case duration, µs
    CAST(count(*) AS BIGINT) AS cases                                   -- cases of the variant with that duration
FROM bucket_traces
GROUP BY ALL;
