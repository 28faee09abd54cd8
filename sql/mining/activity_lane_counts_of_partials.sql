-- activity_lane_counts (as sql/mining/activity_lane_counts.sql defines it) merged from the buckets' partials
-- ($activity_lanes: Parquet files) by the cluster's coordinator; a case lies in one bucket, so the buckets' cases add up.
CREATE OR REPLACE TABLE activity_lane_counts AS
SELECT CAST(code AS INTEGER) AS code, CAST(lane AS VARCHAR) AS lane, CAST(sum(events) AS BIGINT) AS events,
       CAST(sum(cases) AS BIGINT) AS cases
FROM read_parquet($activity_lanes)
GROUP BY code, lane;
