-- The reason codes of contacts that the demand rules file's code list does not name, with how many contacts carry each
-- (docs/demand.md): they are classified by the other rules, and reported here rather than dropped. Empty when the
-- rules file has no code list.
CREATE OR REPLACE TABLE unknown_reason_codes AS
SELECT
    CAST(f.reason_code AS VARCHAR) AS code,     -- as delivered (calls.reason_code)
    CAST(count(*) AS BIGINT)       AS contacts  -- contacts in journeys with this code
FROM contact_features AS f
WHERE $has_code_list AND f.reason_code IS NOT NULL AND NOT list_contains($codes, f.reason_code)
GROUP BY f.reason_code
ORDER BY contacts DESC, code;
