-- Conformance of each variant against each model, computed once: a run with a known (model_hash, method) replays only new variants.
CREATE TABLE IF NOT EXISTS alignment_cache (
    model_hash         VARCHAR   NOT NULL, -- caller's fingerprint of the model; a new hash recomputes everything
    method             VARCHAR   NOT NULL, -- 'alignments' or 'token_replay'
    variant            VARCHAR[] NOT NULL, -- the activities in case order (the list itself: no separator to collide)
    fitness            DOUBLE,             -- pm4py trace fitness 0..1; NULL when timed out
    cost               BIGINT,             -- alignments: deviating moves (log moves + model moves on visible tasks); token replay: missing + remaining tokens
    is_fitting         BOOLEAN,            -- fitness = 1 (pm4py's fitting trace); NULL when timed out
    timed_out          BOOLEAN   NOT NULL, -- the alignment hit its time limit: no result
    moves              STRUCT(log VARCHAR, model VARCHAR)[], -- alignment, silent moves left out: (activity, step) sync, (activity, NULL) log move, (NULL, step) model move; empty for token replay
    raw_cost           BIGINT,             -- alignments: pm4py's cost (10000 per deviating move, 1 per silent move)
    raw_worst_cost     BIGINT,             -- alignments: pm4py's worst cost of the trace (denominator of its fitness)
    produced           BIGINT,             -- token replay: tokens produced
    consumed           BIGINT,             -- token replay: tokens consumed
    missing            BIGINT,             -- token replay: tokens missing
    remaining          BIGINT,             -- token replay: tokens remaining
    time_limit_seconds DOUBLE,             -- limit the variant was aligned under (NULL for token replay)
    compute_seconds    DOUBLE,             -- wall time spent on this variant (r4pm: its share of the batch's time)
    computed_at        TIMESTAMP NOT NULL, -- UTC
    aligner            VARCHAR,            -- alignments: 'r4pm' or 'pm4py' (the reference, and r4pm's fallback); NULL for token replay and rows cached before cxmining recorded it
    states_visited     BIGINT,             -- alignments: states r4pm searched (its max_states when it gave up and pm4py took over); NULL where r4pm was not asked
    deviations         STRUCT(position BIGINT, deviation_type VARCHAR, activity VARCHAR, after_step VARCHAR, before_step VARCHAR)[]
                                           -- the alignment's deviating moves, typed and placed as deviation_moves lists them (alignment_deviations.sql); empty when it fits or has no result; NULL until filled
);
-- stores made before the aligner was recorded
ALTER TABLE alignment_cache ADD COLUMN IF NOT EXISTS aligner VARCHAR;
ALTER TABLE alignment_cache ADD COLUMN IF NOT EXISTS states_visited BIGINT;
ALTER TABLE alignment_cache ADD COLUMN IF NOT EXISTS deviations STRUCT(position BIGINT, deviation_type VARCHAR, activity VARCHAR, after_step VARCHAR, before_step VARCHAR)[];
