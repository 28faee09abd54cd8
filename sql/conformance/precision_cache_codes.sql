-- Fills precision_cache.codes for the model's ($model_hash) rows that lack them (prefixes just replayed, and once, rows cached before
-- cxmining kept them): the prefix as activity_codes.code. A store gives an activity its code once and never changes it, so the codes
-- stay true, and runs join the prefixes of the log on integer lists instead of lists of names.
UPDATE precision_cache AS c
SET codes = list_transform(c.prefix, lambda a: m.code_of[a])
FROM (SELECT map_from_entries(list({'key': activity, 'value': code})) AS code_of FROM activity_codes) AS m
WHERE c.model_hash = $model_hash AND c.codes IS NULL;
