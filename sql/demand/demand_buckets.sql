-- Working table (temporary): each journey's customer bucket, for a full build of the per-journey demand tables on a
-- cluster: a stable hash (MD5) of its customer, else of its id, modulo $buckets, as sql/mining/bucketed_traces.sql
-- buckets the traces, so a customer's journeys stay in one bucket.
CREATE OR REPLACE TEMP TABLE demand_buckets AS
SELECT
    journey_id,
    CAST(md5_number_upper(coalesce(customer_id, journey_id)) % $buckets AS INTEGER) AS bucket -- 0 .. $buckets - 1
FROM journeys;
