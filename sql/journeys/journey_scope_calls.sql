-- Working table (temporary): the calls in the new files and the calls from numbers whose customer changed.
CREATE OR REPLACE TEMP TABLE journey_scope_calls AS
SELECT * FROM raw_calls
WHERE _file_sha256 IN (SELECT sha256 FROM journey_new_files)
   OR phone_key(caller_number) IN (SELECT phone_key FROM journey_phone_changes);
