-- Query: how far the variants moved since the model was discovered: the total variation distance between the two
-- distributions of cases over variants (0: the same shares, 1: nothing in common), and the noise threshold and folder
-- of that discovery.
WITH current_shares AS (
    SELECT variant, frequency / sum(frequency) OVER () AS share FROM variants
),
discovered_shares AS (
    SELECT variant, frequency / sum(frequency) OVER () AS share FROM discovered_variants
)
SELECT
    0.5 * sum(abs(coalesce(n.share, 0) - coalesce(t.share, 0))) AS drift,
    (SELECT any_value(noise) FROM discovered_variants)           AS noise,
    (SELECT any_value(model_dir) FROM discovered_variants)       AS model_dir
FROM current_shares AS n
FULL OUTER JOIN discovered_shares AS t USING (variant);
