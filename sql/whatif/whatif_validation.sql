-- The simulation of today's regime against what was observed: a figure is within tolerance when the simulated mean is
-- within max(10% of the observed value, 2 Poisson standard deviations) of it (means of times: within 10%).
CREATE TABLE IF NOT EXISTS whatif_validation (
    figure        VARCHAR   NOT NULL,
    observed      DOUBLE    NOT NULL, -- over the observed period, calls in journeys
    simulated     DOUBLE    NOT NULL, -- mean over replications
    simulated_low DOUBLE,             -- 95% interval of that mean
    simulated_high DOUBLE,
    tolerance     DOUBLE    NOT NULL, -- allowed absolute difference
    within        BOOLEAN   NOT NULL,
    replications  INTEGER   NOT NULL,
    seed          BIGINT    NOT NULL,
    simulated_at  TIMESTAMP NOT NULL  -- UTC
);
