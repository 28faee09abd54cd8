-- Working table of one explorer request (temporary), when failure demand has not run: no call counted under a target.
CREATE OR REPLACE TEMP TABLE contact_targets (contact_id VARCHAR, journey_id VARCHAR, target VARCHAR);
