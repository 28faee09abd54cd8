-- What precision needs of the model for each log prefix, computed once per model: a run replays only prefixes this table lacks.
CREATE TABLE IF NOT EXISTS precision_cache (
    model_hash  VARCHAR   NOT NULL, -- caller's fingerprint of the model (as alignment_cache)
    prefix      VARCHAR[] NOT NULL, -- the activities of the prefix, in order
    fits        BOOLEAN   NOT NULL, -- pm4py's token replay of the prefix fits (prefixes that do not are left out of precision)
    enabled     VARCHAR[] NOT NULL, -- visible labels the model enables after the prefix, through silent transitions (sorted; empty when it does not fit)
    computed_at TIMESTAMP NOT NULL  -- UTC
);
