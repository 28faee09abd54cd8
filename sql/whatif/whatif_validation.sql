-- The simulation of today's regime against what was observed (the latest check only): a figure is within tolerance when
-- the simulated mean is within max(10% of the observed value, 2 Poisson standard deviations) of it (means of times:
-- within 10%). A figure that was not observed (no call with an end time: no handling time) has nothing to check.
CREATE OR REPLACE TABLE whatif_validation (
    figure         VARCHAR   NOT NULL,
    observed       DOUBLE,             -- over the observed period, calls in journeys; NULL: not known
    simulated      DOUBLE,             -- mean over replications; NULL: not known
    simulated_low  DOUBLE,             -- 95% interval of a replication: where a period like the observed one lands
    simulated_high DOUBLE,
    tolerance      DOUBLE,             -- allowed absolute difference
    within         BOOLEAN,            -- NULL: nothing to check
    note           VARCHAR,            -- e.g. why there is nothing to check
    replications   INTEGER   NOT NULL,
    seed           BIGINT    NOT NULL,
    simulated_at   TIMESTAMP NOT NULL  -- UTC
);
ALTER TABLE whatif_validation ADD COLUMN IF NOT EXISTS days INTEGER; -- length of the observed (and simulated) period
