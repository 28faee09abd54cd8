-- activity_case_counts (as sql/mining/activity_case_counts.sql defines it) merged from the buckets' partials
-- ($activities: Parquet files) by the cluster's coordinator; a case lies in one bucket, so the buckets' cases add up.
CREATE OR REPLACE TABLE activity_case_counts AS
SELECT CAST(code AS INTEGER) AS code, CAST(sum(events) AS BIGINT) AS events, CAST(sum(cases) AS BIGINT) AS cases
FROM read_parquet($activities)
GROUP BY code;
