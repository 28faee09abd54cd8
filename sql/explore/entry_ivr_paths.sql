-- The explorer's landing page: IVR paths flagged for transfers or repeat calls, with the reasons flagged on them.
SELECT ivr_path, list(DISTINCT reason_code ORDER BY reason_code) AS reason_codes, sum(calls) AS calls,
       sum(excess_transfers) AS excess_transfers
FROM routing_failure
WHERE flagged
GROUP BY ivr_path
ORDER BY excess_transfers DESC NULLS LAST, ivr_path
LIMIT $limit;
