-- Routing failure: transfers and repeat calls per IVR path and call reason, against the same reason on other paths.
CREATE OR REPLACE TABLE routing_failure AS
SELECT
    CAST(ivr_path AS VARCHAR)                         AS ivr_path,
    CAST(reason_code AS VARCHAR)                      AS reason_code,
    CAST(queue AS VARCHAR)                            AS queue,             -- most common queue of these calls
    CAST(calls AS BIGINT)                             AS calls,
    CAST(transferred AS BIGINT)                       AS transferred,
    CAST(transferred / calls AS DOUBLE)               AS transfer_rate,
    CAST(expected_transfer_rate AS DOUBLE)            AS expected_transfer_rate, -- same reason, other paths
    CAST(transferred - expected AS DOUBLE)            AS excess_transfers,
    CAST(repeat_calls AS BIGINT)                      AS repeat_calls,      -- calls followed by another on the same matter
    CAST(repeat_calls / calls AS DOUBLE)              AS repeat_rate,
    CAST(expected_repeat_rate AS DOUBLE)              AS expected_repeat_rate,
    CAST(repeat_calls - calls * coalesce(expected_repeat_rate, 0) AS DOUBLE) AS excess_repeats, -- against the same reason on other paths
    CAST(transfer_repeats AS BIGINT)                  AS repeats_after_transfers, -- transferred calls followed by another on the matter
    CAST(greatest(transfer_repeats / nullif(transferred, 0)
                  - (repeat_calls - transfer_repeats) / nullif(calls - transferred, 0), 0) AS DOUBLE)
                                                      AS repeats_per_transfer, -- extra repeat calls a transfer brings on this path
    CAST(mean_seconds AS DOUBLE)                      AS mean_seconds,
    CAST(transferred_seconds - resolved_seconds AS DOUBLE) AS transfer_extra_seconds, -- a transferred call's extra handling time
    first_day, last_day,                                                    -- UTC dates of the first and last call
    CAST(p_value AS DOUBLE)                           AS p_value,           -- one-sided conditional binomial test of the transfers against the reference
    CAST(heterogeneity AS DOUBLE)             AS heterogeneity,   -- how much comparable rows differ beyond chance (0: Poisson)
    CAST(q_value AS DOUBLE)                           AS q_value,           -- Benjamini-Hochberg across paths
    CAST(q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected AS BOOLEAN) AS flagged
FROM routing_paths
ORDER BY excess_transfers DESC, calls DESC, ivr_path, reason_code;
