-- Each call counted under at most one flagged target: the first of these that explains it (docs/demand.md, section 4).
--   1. routing: a repeat call after a transfer on a flagged IVR path for its reason;
--   2. website: a call the demand rules blame on a checkout error or help page before it, when that trigger is flagged;
--   3. products: a first pre-purchase information call about a flagged product;
--   4. order communication: an order-status call about an order placed in a late-shipping window: flagged days, with
--      the days next to them whose calls pass the flag's size guards and one quiet day between them (one window, one
--      target).
-- A call's cause comes from the first rule that matched it, so a product-information call after a help page counts for
-- the product and one after a checkout error for the checkout. excess_share is the share of the target's own tested
-- count above what comparable ones get: that share of the calls counted under it is avoidable. Each target also keeps
-- its key (to find it again), the tested count and its expectation (for the interval of avoidable_calls) and the
-- evidence in words (rates against comparable products, days, paths or sessions).
CREATE OR REPLACE TABLE contact_targets AS
WITH calls AS (
    SELECT f.contact_id, f.journey_id, f.ts, f.reason_code, f.product_id, f.order_stage, f.is_repeat, f.previous_outcome,
           f.previous_ivr_path, f.placed_ts, f.checkout_error_trigger, f.help_page_trigger, f.duration_s,
           c.blamed_trigger, c.demand, c.cause
    FROM contact_features AS f
    JOIN contact_causes AS c ON c.contact_id = f.contact_id AND c.context = 'as observed'
    WHERE f.channel = 'phone'
),
elevated AS (  -- flagged order days, and the days whose calls pass the flag's own size guards (not significant alone)
    SELECT order_day, flagged, order_day - lag(order_day) OVER (ORDER BY order_day) AS gap
    FROM order_status_calls_by_day
    WHERE flagged OR (orders_with_calls - expected_orders_with_calls >= $min_excess
                      AND orders_with_calls >= $min_ratio * expected_orders_with_calls)
),
spans AS (  -- one late-shipping window is one target: runs of such days, one quiet day between them bridged, with a flag
    SELECT min(order_day) AS first_day, max(order_day) AS last_day
    FROM (SELECT *, sum(CASE WHEN gap IS NULL OR gap > 2 THEN 1 ELSE 0 END) OVER (ORDER BY order_day) AS island
          FROM elevated)
    GROUP BY island
    HAVING bool_or(flagged)
),
windows AS (  -- every order day of the window, quiet ones included: the calls counted are those of all its days
    SELECT s.first_day, s.last_day,
           sum(d.excess_calls) / nullif(sum(d.order_status_calls), 0) AS share,
           sum(d.order_status_calls) AS observed, sum(d.order_status_calls) - sum(d.excess_calls) AS expected,
           sum(d.orders) AS orders, sum(d.order_status_calls) / nullif(sum(d.orders), 0) AS calls_per_order,
           sum(d.expected_calls) / nullif(sum(d.orders), 0) AS expected_per_order
    FROM spans AS s
    JOIN order_status_calls_by_day AS d ON d.order_day BETWEEN s.first_day AND s.last_day
    GROUP BY s.first_day, s.last_day
),
candidates AS (
    SELECT k.contact_id, 1 AS priority, 'routing' AS kind,
           'IVR ' || r.ivr_path || ' for ' || r.reason_code || ' calls' AS target, 'route these calls to the right queue' AS fix,
           greatest(r.excess_transfers, 0) * r.repeats_per_transfer / nullif(r.repeats_after_transfers, 0) AS share,
           r.ivr_path || ' | ' || r.reason_code AS target_key, r.transferred AS observed,
           r.transferred - r.excess_transfers AS expected,
           printf('%.0f%% of %,d %s calls on this path transferred, against %.0f%% of the same calls on other paths; %,d repeat calls',
                  100 * r.transfer_rate, r.calls, r.reason_code, 100 * r.expected_transfer_rate, r.repeat_calls) AS evidence
    FROM calls AS k
    JOIN routing_failure AS r
      ON r.flagged AND k.is_repeat AND k.previous_outcome = 'transferred'
     AND r.ivr_path = coalesce(k.previous_ivr_path, '(none)') AND r.reason_code = coalesce(k.reason_code, '(none)')
    UNION ALL
    SELECT k.contact_id, 2, 'website', w.trigger, 'fix the page or the checkout step',
           w.excess_calls / nullif(w.calls, 0), w.trigger, w.calls, w.calls - w.excess_calls,
           printf('%.0f%% of %,d web sessions with it followed by a call within %.0f hours, against %.0f%% of comparable sessions',
                  100 * w.call_rate, w.sessions, w.window_hours, 100 * w.baseline_rate)
    FROM calls AS k
    JOIN website_failure_contacts AS w
      ON w.flagged AND w.trigger = CASE k.blamed_trigger WHEN 'checkout_error' THEN k.checkout_error_trigger
                                                         WHEN 'help_page' THEN k.help_page_trigger END
    UNION ALL
    SELECT k.contact_id, 3, 'product information', 'product ' || p.product_id || coalesce(' ' || p.name, ''),
           'rewrite the product description', p.excess_calls / nullif(p.info_calls, 0),
           p.product_id, p.info_calls, p.info_calls - p.excess_calls,
           printf('%.1f information calls per 100 journeys about it, against %.1f for comparable products; %,d returns ''not as described''; calls and such returns together %.1f times the comparable rate (95%% interval %.1f to %.1f)',
                  100 * p.rate, 100 * p.expected_rate, p.returns_not_as_described, p.rate_ratio, p.rate_ratio_low, p.rate_ratio_high)
    FROM calls AS k
    JOIN failure_demand_products AS p
      ON p.flagged AND p.product_id = k.product_id AND list_contains($product_info_reasons, k.reason_code)
     AND k.order_stage IN ('no order', 'before order') AND NOT k.is_repeat
    UNION ALL
    SELECT k.contact_id, 4, 'order communication',
           CASE WHEN w.first_day = w.last_day THEN 'orders placed on ' || CAST(w.first_day AS VARCHAR)
                ELSE 'orders placed ' || CAST(w.first_day AS VARCHAR) || ' to ' || CAST(w.last_day AS VARCHAR) END,
           'ship on time, or tell customers about the delay', w.share,
           CAST(w.first_day AS VARCHAR) || '/' || CAST(w.last_day AS VARCHAR), w.observed, w.expected,
           printf('%.2f where-is-my-order calls per order placed on these days (%,d orders), against %.2f on the other days',
                  w.calls_per_order, w.orders, w.expected_per_order)
    FROM calls AS k
    JOIN windows AS w
      ON list_contains($order_status_reasons, k.reason_code) AND CAST(k.placed_ts AS DATE) BETWEEN w.first_day AND w.last_day
)
SELECT
    CAST(k.contact_id AS VARCHAR)                           AS contact_id,   -- contact_demand.contact_id (calls only)
    CAST(k.journey_id AS VARCHAR)                           AS journey_id,
    k.ts,                                                                    -- UTC
    CAST(k.demand AS VARCHAR)                               AS demand,       -- the call's own demand and cause (contact_demand)
    CAST(k.cause AS VARCHAR)                                AS cause,
    CAST(t.kind AS VARCHAR)                                 AS target_cause, -- avoidable_calls.cause
    CAST(t.target AS VARCHAR)                               AS target,       -- avoidable_calls.target
    CAST(t.fix AS VARCHAR)                                  AS fix,
    CAST(least(greatest(coalesce(t.share, 0), 0), 1) AS DOUBLE) AS excess_share, -- avoidable part of each call counted here
    CAST(t.target_key AS VARCHAR)                           AS target_key,   -- product_id, trigger, 'path | reason', 'first/last day'
    CAST(t.observed AS DOUBLE)                              AS tested_count, -- the target's tested count ...
    CAST(t.expected AS DOUBLE)                              AS tested_expected, -- ... and what comparable ones would give
    CAST(t.evidence AS VARCHAR)                             AS evidence,
    CAST(k.duration_s AS DOUBLE)                            AS duration_s    -- handling time (NULL: unknown)
FROM calls AS k
JOIN candidates AS t USING (contact_id)
QUALIFY row_number() OVER (PARTITION BY k.contact_id ORDER BY t.priority) = 1
ORDER BY k.ts, k.contact_id;
