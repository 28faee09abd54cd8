-- The latest run with metrics.
SELECT run_id, finished_at FROM run_metrics ORDER BY finished_at DESC, run_id DESC LIMIT 1;
