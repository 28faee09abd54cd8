-- Working table (temporary): the files loaded since the journeys were last built.
CREATE OR REPLACE TEMP TABLE journey_new_files AS
SELECT f.sha256 FROM ingested_files AS f ANTI JOIN journey_files AS j USING (sha256)
WHERE f.status = 'loaded';
