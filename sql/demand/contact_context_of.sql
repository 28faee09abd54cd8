-- Macro: every contact of the journeys listed in `scope` (a relation with journey_id: all of them, or those a night
-- changed) with the context the demand rules read that depends on its journey alone: where the order stood, repeats
-- on the same matter, what came before it. The table contact_context keeps it from night to night (cxmining.demand);
-- contact_features adds what depends on other journeys or on conformance.
-- Parameters: web_contacts, repeat_days, checkout_error_hours, help_page_hours, product_view_days (the rules file).
CREATE OR REPLACE MACRO contact_context_of(scope, web_contacts, repeat_days, checkout_error_hours, help_page_hours,
                                           product_view_days) AS TABLE
WITH ev AS (
    SELECT
        a.journey_id, a.event_order, e.event_id, e.ts, e.activity, e.source, e.channel, e.event_type, e.page,
        e.product_id, e.order_id, e.reason_code, e.outcome, e.ivr_path, e.queue, e.duration_s, e.status
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
    WHERE a.journey_id IN (SELECT journey_id FROM query_table(scope))
),
context AS (
    SELECT
        *,
        source = 'calls' OR (source = 'web' AND list_contains(web_contacts, event_type)) AS is_contact,
        max(CASE WHEN event_type = 'checkout_error' THEN ts END) OVER before                           AS checkout_error_ts,
        max(CASE WHEN event_type = 'help_view' THEN ts END) OVER before                                AS help_page_ts,
        last_value(CASE WHEN event_type = 'help_view' THEN page END IGNORE NULLS) OVER before          AS help_page,
        last_value(CASE WHEN event_type = 'checkout_error' THEN activity || coalesce(' ' || page, '') END IGNORE NULLS)
            OVER before                                                                                AS checkout_error_trigger,
        last_value(CASE WHEN event_type = 'help_view' THEN activity || coalesce(' ' || page, '') END IGNORE NULLS)
            OVER before                                                                                AS help_page_trigger,
        last_value(CASE WHEN source = 'web' THEN product_id END IGNORE NULLS) OVER before              AS viewed_product_id,
        max(CASE WHEN source = 'web' AND product_id IS NOT NULL THEN ts END) OVER before               AS viewed_ts,
        min(CASE WHEN status = 'placed' THEN ts END) OVER journey                                      AS placed_ts,
        min(CASE WHEN status = 'shipped' THEN ts END) OVER journey                                     AS shipped_ts,
        min(CASE WHEN status = 'delivered' THEN ts END) OVER journey                                   AS delivered_ts,
        min(CASE WHEN status = 'cancelled' THEN ts END) OVER journey                                   AS cancelled_ts,
        min(CASE WHEN status IN ('return_requested', 'returned', 'exchanged') THEN ts END) OVER journey AS return_ts
    FROM ev
    WINDOW before AS (PARTITION BY journey_id ORDER BY event_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           journey AS (PARTITION BY journey_id)
),
calls AS (
    SELECT
        event_id,
        lag(event_id) OVER matter   AS previous_contact_id,
        lag(ts) OVER matter         AS previous_ts,
        lag(duration_s) OVER matter AS previous_duration_s,
        lag(outcome) OVER matter    AS previous_outcome,
        lag(ivr_path) OVER matter   AS previous_ivr_path,
        lead(ts) OVER matter        AS next_ts
    FROM context
    WHERE source = 'calls'
    WINDOW matter AS (PARTITION BY journey_id, reason_code ORDER BY event_order)
),
staged AS (
    SELECT
        c.*, k.previous_contact_id, k.previous_ts, k.previous_outcome, k.previous_ivr_path,
        k.previous_ts IS NOT NULL
            AND epoch(c.ts) - epoch(k.previous_ts) - coalesce(k.previous_duration_s, 0) <= repeat_days * 86400 AS is_repeat,
        k.next_ts IS NOT NULL
            AND epoch(k.next_ts) - epoch(c.ts) - coalesce(c.duration_s, 0) <= repeat_days * 86400             AS followed_by_repeat,
        CASE
            WHEN c.journey_id NOT LIKE 'order:%' THEN 'no order'
            WHEN c.placed_ts IS NULL OR c.ts < c.placed_ts THEN 'before order'
            WHEN c.return_ts IS NOT NULL AND c.ts >= c.return_ts THEN 'returning'
            WHEN c.cancelled_ts IS NOT NULL AND c.ts >= c.cancelled_ts THEN 'cancelled'
            WHEN c.delivered_ts IS NOT NULL AND c.ts >= c.delivered_ts THEN 'delivered'
            WHEN c.shipped_ts IS NOT NULL AND c.ts >= c.shipped_ts THEN 'in transit'
            ELSE 'awaiting shipment'
        END AS order_stage,
        list_filter([
            CASE WHEN epoch(c.ts) - epoch(c.checkout_error_ts) <= checkout_error_hours * 3600 THEN 'checkout_error' END,
            CASE WHEN c.source = 'calls' AND epoch(c.ts) - epoch(c.help_page_ts) <= help_page_hours * 3600 THEN 'help_page' END
        ], lambda x: x IS NOT NULL) AS triggers,
        CASE WHEN c.viewed_product_id IS NOT NULL
              AND epoch(c.ts) - epoch(c.viewed_ts) <= product_view_days * 86400 THEN c.viewed_product_id END AS recent_product_id
    FROM context AS c
    LEFT JOIN calls AS k USING (event_id)
    WHERE c.is_contact
)
SELECT * FROM staged;
