-- Working table of one comparison (temporary): the two periods compared; start inclusive, end exclusive, UTC.
CREATE OR REPLACE TEMP TABLE compare_periods AS
SELECT
    CAST(period AS VARCHAR)    AS period,   -- 'before' or 'after'
    CAST(start_ts AS TIMESTAMP) AS start_ts, -- first instant in the period; -infinity when open
    CAST(end_ts AS TIMESTAMP)   AS end_ts    -- first instant after the period; infinity when open
FROM (VALUES
    ('before', coalesce(CAST($before_start AS TIMESTAMP), TIMESTAMP '-infinity'),
               coalesce(CAST($before_end AS TIMESTAMP), TIMESTAMP 'infinity')),
    ('after',  coalesce(CAST($after_start AS TIMESTAMP), TIMESTAMP '-infinity'),
               coalesce(CAST($after_end AS TIMESTAMP), TIMESTAMP 'infinity'))
) AS p(period, start_ts, end_ts);
