-- Query: how far the observed calls moved since the last what-if run ($scenarios: the hash of the scenarios now): the
-- larger of the relative change in their number and the total variation distance of their mix by reason and outcome,
-- and whether the scenarios are the ones simulated then.
WITH current_calls AS (
    SELECT reason_code, outcome, count(*) AS calls FROM contact_demand WHERE channel = 'phone' GROUP BY ALL
),
current_shares AS (SELECT *, calls / sum(calls) OVER () AS share FROM current_calls),
basis_shares AS (SELECT *, calls / sum(calls) OVER () AS share FROM whatif_basis),
mix AS (
    SELECT 0.5 * sum(abs(coalesce(c.share, 0) - coalesce(b.share, 0))) AS distance
    FROM current_shares AS c
    FULL OUTER JOIN basis_shares AS b ON b.reason_code IS NOT DISTINCT FROM c.reason_code
                                     AND b.outcome IS NOT DISTINCT FROM c.outcome
)
SELECT
    greatest((SELECT distance FROM mix),
             abs((SELECT sum(calls) FROM current_calls) / nullif((SELECT sum(calls) FROM whatif_basis), 0) - 1)) AS drift,
    (SELECT bool_and(scenarios_sha256 = $scenarios) FROM whatif_basis)                                           AS same_scenarios;
