-- Working table of one conformance run (temporary): each prefix of precision_prefixes with what precision_cache holds of it for the
-- model ($model_hash), joined once on the activity codes; fits and enabled are NULL where the cache lacks the prefix (to be replayed).
CREATE OR REPLACE TEMP TABLE precision_matched AS
SELECT
    p.prefix_codes,     -- the prefix (activity_codes.code)
    p.journeys,         -- journeys going on after it
    p.next_activities,  -- activities that follow it in the log
    c.fits,             -- precision_cache.fits; NULL: not cached
    c.enabled           -- precision_cache.enabled; NULL: not cached
FROM precision_prefixes AS p
LEFT JOIN precision_cache AS c ON c.model_hash = $model_hash AND c.codes = p.prefix_codes;
