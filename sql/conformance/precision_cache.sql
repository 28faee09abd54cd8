-- What precision needs of the model for each log prefix, computed once per model: a run replays only prefixes this table lacks.
CREATE TABLE IF NOT EXISTS precision_cache (
    model_hash  VARCHAR   NOT NULL, -- caller's fingerprint of the model (as alignment_cache)
    prefix      VARCHAR[] NOT NULL, -- the activities of the prefix, in order
    fits        BOOLEAN   NOT NULL, -- pm4py's token replay of the prefix fits (prefixes that do not are left out of precision)
    enabled     VARCHAR[] NOT NULL, -- visible labels the model enables after the prefix, through silent transitions (sorted; empty when it does not fit)
    computed_at TIMESTAMP NOT NULL, -- UTC
    codes       INTEGER[]           -- the prefix as activity_codes.code (the store's codes, never changed): what precision_prefixes joins on; NULL until filled (precision_cache_codes.sql)
);
-- stores made before the codes were kept
ALTER TABLE precision_cache ADD COLUMN IF NOT EXISTS codes INTEGER[];
