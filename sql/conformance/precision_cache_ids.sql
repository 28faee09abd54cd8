-- Working table of one conformance run (temporary): the model's ($model_hash) rows of precision_cache with their activities as the run's
-- activity ids (activity_stats.activity_id, as variants.activity_ids), to join precision_prefixes on integer lists.
-- A name the store's activities no longer hold becomes 0, which no variant's id is (ids are 1..n): such a prefix matches no prefix of
-- the log, and such an enabled label is never among the activities that follow a prefix, as before the translation.
CREATE OR REPLACE TEMP TABLE precision_cache_ids AS
WITH ids AS (
    SELECT map_from_entries(list({'key': activity, 'value': activity_id})) AS of FROM activity_stats
)
SELECT
    CAST(list_transform(c.prefix, lambda a: coalesce(ids.of[a], 0)) AS INTEGER[])  AS prefix_ids,  -- precision_cache.prefix as ids
    c.fits,                                                                           -- the prefix replays on the model
    CAST(list_transform(c.enabled, lambda a: coalesce(ids.of[a], 0)) AS INTEGER[]) AS enabled_ids  -- precision_cache.enabled as ids
FROM precision_cache AS c, ids
WHERE c.model_hash = $model_hash;
