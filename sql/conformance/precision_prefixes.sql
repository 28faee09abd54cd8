-- Working table of one conformance run (temporary): every proper prefix of the variants in scope, as pm4py's ETConformance precision counts them.
-- Prefixes are lists of activity codes (conformance_variants.codes, as precision_cache.codes): grouping and joining integer lists is what
-- keeps this cheap.
CREATE OR REPLACE TEMP TABLE precision_prefixes AS
WITH steps AS (
    SELECT codes, frequency, unnest(generate_series(1, len(codes) - 1)) AS i
    FROM conformance_variants
    WHERE len(codes) > 1
),
grouped AS (
    SELECT codes[1:i] AS prefix_codes, sum(frequency) AS journeys, list_distinct(list(codes[i + 1])) AS next_codes
    FROM steps
    GROUP BY codes[1:i]
),
names AS (
    SELECT map_from_entries(list({'key': code, 'value': activity})) AS name_of FROM activity_codes
)
SELECT
    CAST(g.prefix_codes AS INTEGER[])                                              AS prefix_codes,    -- the first i activities of a variant (activity_codes.code)
    CAST(g.journeys AS BIGINT)                                                     AS journeys,        -- journeys going on after this prefix
    CAST(list_transform(g.next_codes, lambda c: n.name_of[c]) AS VARCHAR[])        AS next_activities  -- activities that follow it in the log
FROM grouped AS g, names AS n;
