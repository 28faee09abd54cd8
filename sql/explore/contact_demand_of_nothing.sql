-- Working table of one explorer request (temporary), when failure demand has not run: no contact classified.
CREATE OR REPLACE TEMP TABLE contact_demand (contact_id VARCHAR, journey_id VARCHAR, demand VARCHAR, cause VARCHAR);
