-- The journey build (journey_build.generation) contact_demand reflects, and a hash of the demand rules and the SQL its
-- rows were classified with: the next run classifies again only the contacts of the journeys changed since
-- (reclassified_journeys.sql), or every contact.
CREATE TABLE IF NOT EXISTS contact_demand_build (
    generation   BIGINT,  -- journey_build.generation
    rules_sha256 VARCHAR  -- the demand rules (demand_rules) and the SQL that classifies
);
