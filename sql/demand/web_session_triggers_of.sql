-- Macro: per journey, web session and trigger met in it (`website_triggers`: a checkout error, a help page), from
-- `events` (web_session_events_of rows): its first occurrence and the first call after it. The table
-- web_session_triggers keeps it from night to night (website_triggers.sql puts sessions together from their parts).
CREATE OR REPLACE MACRO web_session_triggers_of(events, website_triggers) AS TABLE
SELECT
    journey_id, session_id,
    activity || coalesce(' ' || page, '')           AS trigger,
    any_value(event_type)                           AS event_type,
    min(ts)                                         AS first_ts,
    -- the first occurrence followed by a call (arg_min passes over occurrences with none): when and where, and that call
    min(ts) FILTER (WHERE next_call_id IS NOT NULL) AS call_from_ts,
    min(event_order) FILTER (WHERE next_call_id IS NOT NULL) AS call_order,
    arg_min(next_call_ts, event_order)              AS next_call_ts,
    arg_min(next_call_id, event_order)              AS call_id,
    arg_min(next_call_duration, event_order)        AS call_duration -- struct: s, NULL where the call has no end
FROM query_table(events)
WHERE source = 'web' AND session_id IS NOT NULL AND list_contains(website_triggers, event_type)
GROUP BY journey_id, session_id, trigger;
