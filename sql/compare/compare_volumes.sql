-- Working table of one comparison (temporary): per period, its bounds and how many journeys and calls it holds.
CREATE OR REPLACE TEMP TABLE compare_volumes AS
SELECT
    p.period,                                                             -- 'before' or 'after'
    CASE WHEN isfinite(p.start_ts) THEN p.start_ts END AS start_ts,       -- inclusive, UTC; NULL when open
    CASE WHEN isfinite(p.end_ts) THEN p.end_ts END AS end_ts,             -- exclusive, UTC; NULL when open
    CAST((SELECT count(*) FROM compare_journeys AS j WHERE j.period = p.period AND j.segment = '(all)') AS BIGINT) AS journeys, -- starting in it
    CAST((SELECT count(*) FROM compare_journeys AS j WHERE j.period = p.period AND j.segment = '(all)' AND j.measured) AS BIGINT)
        AS measured_journeys,                                             -- of those, complete: begun in the store, follow-up days all in it
    CAST((SELECT count(*) FROM compare_calls AS c WHERE c.period = p.period AND c.segment = '(all)') AS BIGINT) AS calls -- made in it
FROM compare_periods AS p
ORDER BY p.period DESC;
