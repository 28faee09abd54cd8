-- Query: one bucket's part of activity_stats and activity_positions, per activity code: events, cases (a case lies
-- in one bucket, so the buckets' cases add up) and the sum of the events' relative positions.
SELECT
    code,                                                 -- activity_codes.code
    CAST(count(*) AS BIGINT)                AS events,    -- events with this activity
    CAST(count(DISTINCT case_id) AS BIGINT) AS cases,     -- cases with at least one
    CAST(sum(position) AS DOUBLE)           AS position_sum -- sum of the events' positions (0 first .. 1 last)
FROM (
    SELECT case_id, unnest(codes) AS code,
           unnest(list_transform(range(len(codes)), lambda i: i / greatest(len(codes) - 1, 1))) AS position
    FROM bucket_traces
)
GROUP BY code;
