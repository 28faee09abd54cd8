-- The headline metrics of completed runs only: a crashed run's figures are never the baseline.
SELECT run_id, finished_at, metric, value FROM run_metrics
WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'completed')
ORDER BY finished_at, run_id;
