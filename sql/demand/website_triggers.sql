-- Working table (temporary): per website trigger (a checkout error, a help page), the web sessions that met it and how many
-- were followed within the window by a call, with the count expected at the rate of comparable sessions. Like is compared
-- with like:
--   * a checkout error: the calls the demand rules blame on it (contact_causes), against the sessions without one
--     followed by calls the rules would blame on it had they come after one; the error is the difference;
--   * a help page: any call, against the sessions that read another help page. Customers read the page on their call's
--     topic before they call, so a page fails when its readers call more than other pages' readers, not more than
--     customers who never looked for help. Counting only the calls the rules blame on a page would compare topics, not
--     pages: the rules put most calls down to something more specific (an order, a product), and a page whose topic no
--     earlier rule takes (the account page) would stand out on every sample. Its avoidable calls are still only the
--     calls the rules blame on it (contact_targets), at the share of its readers' calls above the other pages'.
-- Triggers are few, so no pass leaves a flagged one out of the others' reference: with a handful of help pages, too
-- little would be left to compare with. The sessions come from web_session_calls and web_session_triggers (per journey
-- and session, kept from night to night); a session whose events lie in several journeys is put together here.
CREATE OR REPLACE TEMP TABLE website_triggers AS
WITH blamed AS (  -- calls the rules blame, or would blame, on a help page or a checkout error before them
    SELECT contact_id, context
    FROM contact_causes
    WHERE context <> 'as observed' AND blamed_trigger = context
),
sessions AS (  -- every web session of a journey, with the first call after its last event (none: NULL, not an earlier one)
    -- and whether it met a help page, a checkout error; a session's events in several journeys: its last event is the
    -- latest (then the later in its journey, then by journey), so the result does not depend on the order rows are read in
    SELECT session_id, max(end_ts) AS end_ts, arg_max(next_call, (end_ts, last_order, journey_id)) AS next_call,
           bool_or(met_checkout_error) AS met_checkout_error, bool_or(met_help_page) AS met_help_page
    FROM web_session_calls
    GROUP BY session_id
),
reference AS (  -- each session's place in the two references, and whether its call counts for each kind of trigger,
    -- within its window (NULL counts as false)
    SELECT
        session_id,
        epoch(next_call.ts) - epoch(end_ts) <= $checkout_error_hours * 3600
            AND next_call.id IN (SELECT contact_id FROM blamed WHERE context = 'checkout_error') AS checkout_call,
        -- a help page's reference counts any call in the window
        epoch(next_call.ts) - epoch(end_ts) <= $help_page_hours * 3600                         AS help_call,
        NOT coalesce(met_checkout_error, false)                                                 AS checkout_reference,
        coalesce(met_help_page, false)                                                          AS help_reference
    FROM sessions
),
totals AS (
    SELECT count(*) FILTER (WHERE checkout_reference)                   AS checkout_sessions,
           count(*) FILTER (WHERE checkout_reference AND checkout_call) AS checkout_calls,
           count(*) FILTER (WHERE help_reference)                       AS help_sessions,
           count(*) FILTER (WHERE help_reference AND help_call)         AS help_calls
    FROM reference
),
met AS (  -- each trigger met in a session, at its first occurrence, with the first call after it
    SELECT
        session_id,
        trigger,
        any_value(event_type)                                                        AS event_type,
        epoch(arg_min(next_call_ts, (call_from_ts, call_order, journey_id))) - epoch(min(first_ts)) AS gap_s,
        arg_min(call_id, (call_from_ts, call_order, journey_id))                     AS call_id,
        arg_min(call_duration, (call_from_ts, call_order, journey_id)).s             AS call_seconds
    FROM web_session_triggers
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
        -- its own sessions that are in its reference (a help page's, among the other pages'), to be taken out of it
        count(*) FILTER (WHERE CASE WHEN w.context = 'checkout_error' THEN s.checkout_reference ELSE s.help_reference END)
                                                                                         AS reference_sessions,
        count(*) FILTER (WHERE w.gap_s <= w.window_s AND (w.context = 'help_page' OR b.contact_id IS NOT NULL)) AS called,
        avg(w.call_seconds) FILTER (WHERE w.gap_s <= w.window_s AND (w.context = 'help_page' OR b.contact_id IS NOT NULL))
                                                                                         AS call_seconds, -- NULL: unknown
        count(*) FILTER (WHERE CASE WHEN w.context = 'checkout_error' THEN s.checkout_reference AND s.checkout_call
                                    ELSE s.help_reference AND s.help_call END)     AS called_after_session
    FROM windowed AS w
    JOIN reference AS s USING (session_id)
    LEFT JOIN blamed AS b ON b.contact_id = w.call_id AND b.context = w.context
    GROUP BY w.trigger
),
reference_counts AS (
    SELECT
        p.*,
        CASE WHEN p.context = 'checkout_error' THEN t.checkout_calls ELSE t.help_calls END - p.called_after_session AS ref_called,
        CASE WHEN p.context = 'checkout_error' THEN t.checkout_sessions ELSE t.help_sessions END - p.reference_sessions AS ref_sessions
    FROM per_trigger AS p
    CROSS JOIN totals AS t
)
SELECT
    * EXCLUDE (ref_called, ref_sessions),
    trigger                                                   AS key,
    ref_called / nullif(ref_sessions, 0)                      AS baseline_rate, -- comparable sessions
    called                                                    AS observed,
    -- half a call added to the reference, so that a reference without such calls still expects some
    sessions * (ref_called + 0.5) / nullif(ref_sessions, 0)   AS expected,
    1 / (ref_called + 0.5)                                    AS expected_cv2   -- the reference's own uncertainty
FROM reference_counts;
