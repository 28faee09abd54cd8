-- Activities that open a case, with the number of cases they open (read from the variants).
CREATE OR REPLACE TABLE start_activities AS
SELECT
    CAST(activities[1] AS VARCHAR) AS activity,  -- first activity of the case
    CAST(sum(frequency) AS BIGINT) AS frequency  -- number of cases starting with it
FROM variants
GROUP BY activities[1]
ORDER BY frequency DESC, activity;
