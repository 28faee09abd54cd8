-- Working table (temporary): per IVR path and call reason, calls, transfers and repeat calls, with the transfers expected at
-- the rate of the same reason on other paths (not tested when the reason has too few calls elsewhere); rows in $excluded
-- (path|reason keys) are left out of the reference, cxmining.demand re-runs it with the flagged rows excluded.
CREATE OR REPLACE TEMP TABLE routing_paths AS
WITH reference AS (
    SELECT
        *,
        sum(calls) FILTER (WHERE NOT excluded) OVER reason - CASE WHEN excluded THEN 0 ELSE calls END               AS reason_calls,
        sum(transferred) FILTER (WHERE NOT excluded) OVER reason - CASE WHEN excluded THEN 0 ELSE transferred END   AS reason_transferred,
        sum(repeat_calls) FILTER (WHERE NOT excluded) OVER reason - CASE WHEN excluded THEN 0 ELSE repeat_calls END AS reason_repeats
    FROM (SELECT *, list_contains($excluded, ivr_path || '|' || reason_code) AS excluded FROM routing_path_counts)  -- routing_path_counts.sql: counted once per run
    WINDOW reason AS (PARTITION BY reason_code)
),
rated AS (
    SELECT
        *,
        CASE WHEN reason_calls >= $min_reference THEN reason_transferred / reason_calls END AS expected_transfer_rate,
        CASE WHEN reason_calls >= $min_reference THEN reason_repeats / reason_calls END     AS expected_repeat_rate
    FROM reference
)
SELECT
    *,
    ivr_path || '|' || reason_code               AS key,
    transferred                                  AS observed,
    calls * expected_transfer_rate               AS expected,           -- NULL: no reference, not tested
    reason_transferred                           AS reference_observed, -- conditional test: this row's share of all
    calls / (calls + reason_calls)               AS exposure_share      -- transfers of the reason, against its share of calls
FROM rated;
