-- One row per contact (call, or web help/contact view) in a journey: failure or value demand, its cause and the evidence
-- (the columns: contact_demand_of.sql). Made whole here; a night that can reclassifies only some journeys' contacts
-- (reclassified_journeys.sql) and keeps the others' rows.
CREATE OR REPLACE TABLE contact_demand AS
FROM contact_demand_of('contact_features');
