-- Working table (temporary): the journeys changed by the builds after generation $since (all incremental: the caller
-- checks), each once, for a step that last saw the journeys of that generation.
CREATE OR REPLACE TEMP TABLE changed_journeys AS
SELECT DISTINCT journey_id FROM journey_changes WHERE generation > $since;
