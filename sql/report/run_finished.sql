-- When run $run_id finished.
SELECT max(finished_at) FROM runs WHERE run_id = $run_id;
