-- Working table of one mining run (temporary): the variants as activity code lists with their ranks, frequencies
-- and case durations (variant_stats) and their text; variants and case_variants are read from it.
CREATE OR REPLACE TEMP TABLE mining_variants AS
WITH names AS (
    SELECT list(activity ORDER BY code) AS names FROM activity_codes
),
ids AS (  -- activity_stats.activity_id by code (a code no case holds any more has none)
    SELECT list(s.activity_id ORDER BY c.code) AS ids FROM activity_codes AS c LEFT JOIN activity_stats AS s USING (activity)
),
named AS (
    SELECT p.*, list_transform(p.codes, lambda i: n.names[i]) AS activities,
           list_transform(p.codes, lambda i: d.ids[i]) AS activity_ids
    FROM variant_stats AS p, names AS n, ids AS d
),
texts AS (
    SELECT *, array_to_string(activities, ',') AS variant FROM named
)
SELECT
    *,
    CAST(row_number() OVER (ORDER BY frequency DESC, variant) AS BIGINT) AS variant_id
FROM texts;
