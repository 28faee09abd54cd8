-- The variants the process model in the output folder was discovered from, with the noise threshold it was mined at:
-- the next run discovers it again only when the variants have moved far enough since (cxmining.mining.discovery).
CREATE TABLE IF NOT EXISTS discovered_variants (
    variant   VARCHAR, -- variants.variant (activities joined with ',')
    frequency BIGINT,  -- its cases then
    noise     DOUBLE,  -- the inductive miner's noise threshold
    model_dir VARCHAR  -- the output folder the model files were written to
);
