-- Query: one bucket's part of activity_lanes, per activity code and lane: events and cases.
SELECT
    code,                                              -- activity_codes.code
    lane,                                              -- lane (NULL where unknown)
    CAST(count(*) AS BIGINT)                AS events, -- events of this activity in this lane
    CAST(count(DISTINCT case_id) AS BIGINT) AS cases   -- cases with at least one of them
FROM (SELECT case_id, unnest(codes) AS code, unnest(lanes) AS lane FROM bucket_traces)
GROUP BY code, lane;
