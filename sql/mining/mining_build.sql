-- The journey build (journey_build.generation) the mining tables reflect: the next run reads only the cases changed
-- since (NULL: an imported log, read whole every time).
CREATE TABLE IF NOT EXISTS mining_build (
    generation BIGINT
);
