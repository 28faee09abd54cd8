-- Avoidable calls: for each flagged cause, the calls per month and agent hours that fixing it would remove (its excess
-- over expectation, spread over the months the calls cover; agent hours from the handling times of those calls).
CREATE OR REPLACE TABLE avoidable_calls AS
WITH span AS (
    SELECT
        greatest((epoch(max(ts)) - epoch(min(ts))) / 86400.0, 1.0) / 30.4375 AS months,
        avg(duration_s)                                                     AS call_seconds
    FROM contact_demand
    WHERE channel = 'phone'
),
late_days AS (
    SELECT *, order_day - CAST(row_number() OVER (ORDER BY order_day) AS INTEGER) AS island
    FROM order_status_calls_by_day
    WHERE flagged
),
items AS (
    SELECT
        'product information' AS cause,
        'product ' || p.product_id || coalesce(' ' || p.name, '') AS target,
        'rewrite the product description' AS fix,
        greatest(p.excess_calls, 0) AS calls,
        greatest(p.excess_calls, 0) * coalesce(p.info_call_seconds, s.call_seconds) AS seconds
    FROM failure_demand_products AS p, span AS s
    WHERE p.flagged
    UNION ALL
    SELECT
        'order communication',
        'orders placed ' || CAST(min(d.order_day) AS VARCHAR) || ' to ' || CAST(max(d.order_day) AS VARCHAR),
        'ship on time, or tell customers about the delay',
        sum(greatest(d.excess_calls, 0)),
        sum(greatest(d.excess_calls, 0) * coalesce(d.agent_hours * 3600.0 / nullif(d.order_status_calls, 0), s.call_seconds))
    FROM late_days AS d, span AS s
    GROUP BY d.island, s.call_seconds
    UNION ALL
    SELECT
        'website', w.trigger, 'fix the page or the checkout step',
        greatest(w.excess_calls, 0),
        greatest(w.excess_calls, 0) * coalesce(w.call_seconds, s.call_seconds)
    FROM website_failure_contacts AS w, span AS s
    WHERE w.flagged
    UNION ALL
    SELECT
        'routing', 'IVR ' || r.ivr_path || ' for ' || r.reason_code || ' calls', 'route these calls to the right queue',
        greatest(r.excess_transfers, 0) * coalesce(r.repeats_per_transfer, 0),   -- repeat calls the excess transfers bring
        greatest(r.excess_transfers, 0) * (coalesce(r.repeats_per_transfer, 0) * coalesce(r.mean_seconds, s.call_seconds)
                                           + greatest(coalesce(r.transfer_extra_seconds, 0), 0))
    FROM routing_failure AS r, span AS s
    WHERE r.flagged
)
SELECT
    CAST(i.cause AS VARCHAR)                          AS cause,                 -- failure_demand_causes.cause
    CAST(i.target AS VARCHAR)                         AS target,                -- what to fix
    CAST(i.fix AS VARCHAR)                            AS fix,
    CAST(i.calls AS DOUBLE)                           AS avoidable_calls,       -- over the whole period
    CAST(i.calls / s.months AS DOUBLE)                AS calls_per_month,
    CAST(i.seconds / 3600.0 / s.months AS DOUBLE)     AS agent_hours_per_month
FROM items AS i, span AS s
ORDER BY calls_per_month DESC, cause, target;
