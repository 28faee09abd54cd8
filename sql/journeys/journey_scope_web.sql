-- Working table (temporary): every web row of the visitors (browsers) with rows in the new files: their sessions'
-- customers depend on all their logins, before and after.
CREATE OR REPLACE TEMP TABLE journey_scope_web AS
SELECT * FROM raw_web
WHERE visitor_id IN (SELECT w.visitor_id FROM raw_web AS w SEMI JOIN journey_new_files AS f ON f.sha256 = w._file_sha256);
