-- What-if results: per scenario and figure, today's regime and the scenario's, each the mean of the replications with a
-- 95% interval, and the paired change (same seeds: common random numbers). Every replication recalibrates the model on a
-- bootstrap resample of the observed journeys, so the intervals carry the uncertainty of what was observed as well as the
-- simulation's own: where a period like the observed one would land. One row per scenario run and figure.
CREATE TABLE IF NOT EXISTS whatif_results (
    scenario       VARCHAR   NOT NULL, -- scenario name (file's `name`)
    scenario_file  VARCHAR,            -- where it was read from
    figure         VARCHAR   NOT NULL, -- calls, calls: <reason>, transfers, repeat calls, mean waiting seconds, agent hours, cost, journeys completed...
    today          DOUBLE,             -- mean over replications of today's regime (NULL: not known, e.g. no handling times)
    today_low      DOUBLE,             -- 95% interval: mean ± t × sd × sqrt(1 + 1/replications)
    today_high     DOUBLE,
    scenario_value DOUBLE,             -- mean over replications of the scenario
    scenario_low   DOUBLE,
    scenario_high  DOUBLE,
    change         DOUBLE,             -- scenario - today, mean of the paired differences
    change_low     DOUBLE,             -- 95% interval of the change (NULL when it rests on too few observations: see note)
    change_high    DOUBLE,
    replications   INTEGER   NOT NULL,
    seed           BIGINT    NOT NULL,
    days           INTEGER   NOT NULL, -- length of the simulated period (the observed one)
    simulated_at   TIMESTAMP NOT NULL  -- UTC
);
ALTER TABLE whatif_results ADD COLUMN IF NOT EXISTS observations BIGINT; -- observed calls the scenario's change rests on
ALTER TABLE whatif_results ADD COLUMN IF NOT EXISTS note VARCHAR;        -- why an interval is not given
ALTER TABLE whatif_results ADD COLUMN IF NOT EXISTS currency VARCHAR;    -- ISO 4217 code of the cost figure (the scenario's `currency`)
