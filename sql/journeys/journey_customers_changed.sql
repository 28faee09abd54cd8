-- Query: whether raw_customers has rows from a file the journeys do not reflect yet (journey_files): only then can the
-- phone keys differ from those the last build used (stitch_phone_keys); rows come only from files, and a file gone from
-- the store makes the build a full one.
SELECT EXISTS (SELECT 1 FROM raw_customers AS c ANTI JOIN journey_files AS j ON j.sha256 = c._file_sha256);
