-- Macro: per journey and web session, from `events` (web_session_events_of rows): when the session's events in that
-- journey end, the first call after the last of them, and whether a trigger (`website_triggers`: a checkout error, a
-- help page) was among them. The table web_session_calls keeps it from night to night; a session whose events lie in
-- several journeys is put together from its parts (website_triggers.sql).
CREATE OR REPLACE MACRO web_session_calls_of(events, website_triggers) AS TABLE
SELECT
    journey_id, session_id,
    max(ts)                                                                                AS end_ts,
    max(event_order)                                                                       AS last_order,
    arg_max(struct_pack(ts := next_call_ts, id := next_call_id), event_order)              AS next_call,
    bool_or(list_contains(website_triggers, event_type) AND event_type = 'checkout_error')  AS met_checkout_error,
    bool_or(list_contains(website_triggers, event_type) AND event_type <> 'checkout_error') AS met_help_page
FROM query_table(events)
WHERE source = 'web' AND session_id IS NOT NULL
GROUP BY journey_id, session_id;
