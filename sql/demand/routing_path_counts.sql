-- Working table (temporary): per IVR path and call reason, the calls, transfers, repeat calls and handling times: counted
-- once per run; every pass of the routing test (routing_paths.sql) reads it, only the reference changes between passes.
CREATE OR REPLACE TEMP TABLE routing_path_counts AS
SELECT
    coalesce(ivr_path, '(none)')                               AS ivr_path,
    coalesce(reason_code, '(none)')                            AS reason_code,
    mode(queue)                                                AS queue,
    count(*)                                                   AS calls,
    count(*) FILTER (WHERE outcome = 'transferred')            AS transferred,
    count(*) FILTER (WHERE followed_by_repeat)                 AS repeat_calls,
    count(*) FILTER (WHERE followed_by_repeat AND outcome = 'transferred') AS transfer_repeats,
    avg(duration_s)                                            AS mean_seconds,
    avg(duration_s) FILTER (WHERE outcome = 'transferred')     AS transferred_seconds,
    avg(duration_s) FILTER (WHERE outcome = 'resolved')        AS resolved_seconds,
    CAST(min(ts) AS DATE)                                      AS first_day,
    CAST(max(ts) AS DATE)                                      AS last_day
FROM contact_demand
WHERE channel = 'phone'
GROUP BY ALL;
