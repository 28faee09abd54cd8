-- The explorer's landing page: failure-demand causes, most contacts first.
SELECT cause, contacts, calls, journeys, share_of_calls
FROM failure_demand_causes
WHERE demand = 'failure'
ORDER BY contacts DESC, cause
LIMIT $limit;
