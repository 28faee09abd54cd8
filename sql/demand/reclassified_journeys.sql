-- Working table (temporary): the journeys whose contacts a night classifies again, keeping contact_demand's rows of
-- every other journey: those whose per-journey tables it updated (changed_journeys), and those with a contact whose
-- features differ from its row in contact_demand where they come from outside the journey (unexpected_step: the
-- conformance tables), or that has no row there, or a row in another journey.
CREATE OR REPLACE TEMP TABLE reclassified_journeys AS
SELECT journey_id FROM changed_journeys
UNION
SELECT journey_id
FROM (
    SELECT unnest([f.journey_id, d.journey_id]) AS journey_id
    FROM contact_features AS f
    FULL JOIN contact_demand AS d ON d.contact_id = f.contact_id
    WHERE f.contact_id IS NULL OR d.contact_id IS NULL OR f.journey_id IS DISTINCT FROM d.journey_id
       OR f.unexpected_step IS DISTINCT FROM d.unexpected_step
)
WHERE journey_id IS NOT NULL;
