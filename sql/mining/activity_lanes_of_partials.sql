-- activity_lanes (as sql/mining/activity_lanes.sql defines it) merged from the buckets' partials ($activity_lanes).
CREATE OR REPLACE TABLE activity_lanes AS
SELECT
    CAST(c.activity AS VARCHAR)    AS activity, -- activity name
    CAST(p.lane AS VARCHAR)        AS lane,     -- part of the organisation (NULL if the log has none)
    CAST(sum(p.events) AS BIGINT)  AS events,   -- events of this activity in this lane
    CAST(sum(p.cases) AS BIGINT)   AS cases     -- cases with at least one of them (a case lies in one bucket)
FROM read_parquet($activity_lanes) AS p
JOIN activity_codes AS c USING (code)
GROUP BY c.activity, p.lane
ORDER BY activity, events DESC, lane;
