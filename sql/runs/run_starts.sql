-- Runs that have started and not yet recorded how they ended: a row is written when a run starts and removed when
-- it records itself in `runs`. A row left by another run means that run was killed (or its machine stopped): the
-- next run records it in `runs` as interrupted.
CREATE TABLE IF NOT EXISTS run_starts (
    run_id     VARCHAR   NOT NULL, -- Prefect flow-run id
    started_at TIMESTAMP NOT NULL, -- UTC
    parameters JSON      NOT NULL, -- the flow's parameters
    landing    VARCHAR   NOT NULL  -- landing folder read
);
