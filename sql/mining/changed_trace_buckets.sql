-- Query: the customer buckets (of $buckets) whose traces tonight's update changed: the bucket each changed case
-- (changed_journeys) is in now, by bucketed_traces.sql's hash, and the one it was in when the kept partitions
-- ($kept, a glob of their Parquet files) were written.
SELECT DISTINCT CAST(md5_number_upper(coalesce(j.customer_id, c.journey_id)) % $buckets AS INTEGER) AS bucket
FROM changed_journeys AS c
LEFT JOIN journeys AS j USING (journey_id)
UNION
SELECT DISTINCT CAST(k.bucket AS INTEGER)
FROM read_parquet($kept, hive_partitioning = true) AS k
SEMI JOIN changed_journeys AS c ON c.journey_id = k.case_id;
