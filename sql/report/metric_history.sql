-- Every run's headline metrics (a store without `runs`: all of them).
SELECT run_id, finished_at, metric, value FROM run_metrics ORDER BY finished_at, run_id;
