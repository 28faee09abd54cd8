-- Activities that close a case, with the number of cases they close (read from the variants).
CREATE OR REPLACE TABLE end_activities AS
SELECT
    CAST(activities[-1] AS VARCHAR) AS activity, -- last activity of the case
    CAST(sum(frequency) AS BIGINT) AS frequency  -- number of cases ending with it
FROM variants
GROUP BY activities[-1]
ORDER BY frequency DESC, activity;
