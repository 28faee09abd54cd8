-- Working table of one comparison (temporary): share of journeys that deviate from the designed model (last conformance run), per segment.
-- Only journeys in that run's scope and with a result (not timed out) count.
CREATE OR REPLACE TEMP TABLE compare_deviation_shares AS
SELECT
    CAST('journeys' AS VARCHAR) AS unit,                                         -- what is counted
    CAST('deviation rate (journeys off the designed model)' AS VARCHAR) AS measure, -- readable name of the share
    CAST(j.segment AS VARCHAR) AS segment,                                       -- '(all)' or a value of the segment
    CAST(count(*) FILTER (WHERE j.period = 'before' AND NOT c.is_fitting) AS BIGINT) AS hits_before, -- deviating journeys, before
    CAST(count(*) FILTER (WHERE j.period = 'before') AS BIGINT) AS n_before,     -- checked journeys, before
    CAST(count(*) FILTER (WHERE j.period = 'after' AND NOT c.is_fitting) AS BIGINT) AS hits_after, -- deviating journeys, after
    CAST(count(*) FILTER (WHERE j.period = 'after') AS BIGINT) AS n_after        -- checked journeys, after
FROM compare_journeys AS j
JOIN conformance_journeys AS c USING (journey_id)
WHERE j.measured AND c.is_fitting IS NOT NULL
GROUP BY j.segment
ORDER BY j.segment;
