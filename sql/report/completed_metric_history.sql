-- The headline metrics of completed (and partial) runs only: a crashed run's figures are never the baseline.
SELECT run_id, finished_at, metric, value FROM run_metrics
WHERE run_id IN (SELECT run_id FROM runs WHERE status IN ('completed', 'partial'))
ORDER BY finished_at, run_id;
