-- Working table (temporary): per website trigger (a checkout error, a help page), the web sessions that met it and how many
-- were followed within the window by a call the demand rules blame on that trigger, with the count expected at the rate
-- of the sessions that did not meet it, followed by calls the rules would blame on it had they come after it
-- (contact_causes). A call the rules put down to something more specific (a product-information call after a help page
-- is about the product) does not count for the page, in either group.
CREATE OR REPLACE TEMP TABLE website_triggers AS
WITH ev AS (
    SELECT a.journey_id, a.event_order, e.event_id, e.ts, e.source, e.event_type, e.activity, e.page, e.session_id, e.duration_s
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
),
nexted AS (
    SELECT
        *,
        first_value(CASE WHEN source = 'calls' THEN ts END IGNORE NULLS) OVER following       AS next_call_ts,
        first_value(CASE WHEN source = 'calls' THEN event_id END IGNORE NULLS) OVER following AS next_call_id,
        first_value(CASE WHEN source = 'calls' THEN struct_pack(s := duration_s) END IGNORE NULLS) OVER following
                                                                                                  AS next_call_duration
    FROM ev
    WINDOW following AS (PARTITION BY journey_id ORDER BY event_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
blamed AS (  -- calls the rules blame, or would blame, on a help page or a checkout error before them
    SELECT contact_id, context
    FROM contact_causes
    WHERE context <> 'as observed' AND blamed_trigger = context
),
sessions AS (  -- every web session of a journey, with the first call after its last event
    SELECT session_id, max(ts) AS end_ts, arg_max(next_call_ts, event_order) AS call_ts,
           arg_max(next_call_id, event_order) AS call_id
    FROM nexted
    WHERE source = 'web' AND session_id IS NOT NULL
    GROUP BY session_id
),
session_blame AS (  -- whether that call is one the rules would blame on each kind of trigger, within its window
    SELECT
        s.session_id,
        bool_or(b.context = 'checkout_error' AND epoch(s.call_ts) - epoch(s.end_ts) <= $checkout_error_hours * 3600) AS checkout_call,
        bool_or(b.context = 'help_page' AND epoch(s.call_ts) - epoch(s.end_ts) <= $help_page_hours * 3600)           AS help_call
    FROM sessions AS s
    LEFT JOIN blamed AS b ON b.contact_id = s.call_id
    GROUP BY s.session_id
),
totals AS (
    SELECT count(*) AS sessions,
           count(*) FILTER (WHERE checkout_call) AS checkout_calls,
           count(*) FILTER (WHERE help_call)     AS help_calls
    FROM session_blame
),
met AS (  -- each trigger met in a session, at its first occurrence, with the first call after it
    SELECT
        session_id,
        activity || coalesce(' ' || page, '')                                      AS trigger,
        any_value(event_type)                                                      AS event_type,
        epoch(arg_min(next_call_ts, event_order)) - epoch(min(ts))                 AS gap_s,
        arg_min(next_call_id, event_order)                                         AS call_id,
        arg_min(next_call_duration, event_order).s                                 AS call_seconds
    FROM nexted
    WHERE source = 'web' AND session_id IS NOT NULL AND list_contains($website_triggers, event_type)
    GROUP BY session_id, trigger
),
windowed AS (
    SELECT
        m.*,
        CASE WHEN m.event_type = 'checkout_error' THEN 'checkout_error' ELSE 'help_page' END               AS context,
        CASE WHEN m.event_type = 'checkout_error' THEN $checkout_error_hours ELSE $help_page_hours END * 3600 AS window_s
    FROM met AS m
),
per_trigger AS (
    SELECT
        w.trigger,
        any_value(w.event_type)                                                          AS event_type,
        any_value(w.context)                                                             AS context,
        any_value(w.window_s)                                                            AS window_s,
        count(*)                                                                         AS sessions,
        count(*) FILTER (WHERE w.gap_s <= w.window_s AND b.contact_id IS NOT NULL)       AS called,
        avg(w.call_seconds) FILTER (WHERE w.gap_s <= w.window_s AND b.contact_id IS NOT NULL) AS call_seconds, -- NULL: unknown
        count(*) FILTER (WHERE CASE WHEN w.context = 'checkout_error' THEN s.checkout_call ELSE s.help_call END)
                                                                                         AS called_after_session
    FROM windowed AS w
    JOIN session_blame AS s USING (session_id)
    LEFT JOIN blamed AS b ON b.contact_id = w.call_id AND b.context = w.context
    GROUP BY w.trigger
)
SELECT
    p.*,
    p.trigger                                                                           AS key,
    (CASE WHEN p.context = 'checkout_error' THEN t.checkout_calls ELSE t.help_calls END - p.called_after_session)
        / nullif(t.sessions - p.sessions, 0)                                            AS baseline_rate, -- sessions without it
    p.called                                                                            AS observed,
    -- half a call added to the reference, so that a reference without such calls still expects some
    p.sessions * (CASE WHEN p.context = 'checkout_error' THEN t.checkout_calls ELSE t.help_calls END - p.called_after_session + 0.5)
        / nullif(t.sessions - p.sessions, 0)                                            AS expected,
    1 / (CASE WHEN p.context = 'checkout_error' THEN t.checkout_calls ELSE t.help_calls END - p.called_after_session + 0.5)
                                                                                        AS expected_cv2 -- the reference's own uncertainty
FROM per_trigger AS p
CROSS JOIN totals AS t;
