-- Working table (temporary): per website trigger (a checkout error, a help page), the web sessions that met it and how many
-- were followed by a call within the window, with the count expected at the rate of the sessions that did not meet it.
CREATE OR REPLACE TEMP TABLE website_triggers AS
WITH ev AS (
    SELECT a.journey_id, a.event_order, e.ts, e.source, e.event_type, e.activity, e.page, e.session_id, e.duration_s
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
),
nexted AS (
    SELECT
        *,
        first_value(CASE WHEN source = 'calls' THEN ts END IGNORE NULLS) OVER following         AS next_call_ts,
        first_value(CASE WHEN source = 'calls' THEN duration_s END IGNORE NULLS) OVER following AS next_call_seconds
    FROM ev
    WINDOW following AS (PARTITION BY journey_id ORDER BY event_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
sessions AS (
    SELECT session_id, epoch(arg_max(next_call_ts, event_order)) - epoch(max(ts)) AS gap_s -- end of session to next call
    FROM nexted
    WHERE source = 'web' AND session_id IS NOT NULL
    GROUP BY session_id
),
totals AS (
    SELECT
        count(*)                                                          AS sessions,
        count(*) FILTER (WHERE gap_s <= $checkout_error_hours * 3600)    AS called_checkout_window,
        count(*) FILTER (WHERE gap_s <= $help_page_hours * 3600)         AS called_help_window
    FROM sessions
),
met AS (
    SELECT
        session_id,
        activity || coalesce(' ' || page, '')                              AS trigger,
        any_value(event_type)                                              AS event_type,
        epoch(arg_min(next_call_ts, event_order)) - epoch(min(ts))         AS gap_s,
        arg_min(next_call_seconds, event_order)                            AS call_seconds
    FROM nexted
    WHERE source = 'web' AND session_id IS NOT NULL AND list_contains($website_triggers, event_type)
    GROUP BY session_id, trigger
),
windowed AS (
    SELECT *, CASE WHEN event_type = 'checkout_error' THEN $checkout_error_hours ELSE $help_page_hours END * 3600 AS window_s
    FROM met
),
per_trigger AS (
    SELECT
        w.trigger,
        any_value(w.event_type)                                     AS event_type,
        any_value(w.window_s)                                       AS window_s,
        count(*)                                                    AS sessions,
        count(*) FILTER (WHERE w.gap_s <= w.window_s)               AS called,
        avg(w.call_seconds) FILTER (WHERE w.gap_s <= w.window_s)    AS call_seconds,
        count(*) FILTER (WHERE s.gap_s <= w.window_s)               AS called_after_session
    FROM windowed AS w
    JOIN sessions AS s USING (session_id)
    GROUP BY w.trigger
)
SELECT
    p.*,
    p.trigger                                                          AS key,
    (CASE WHEN p.event_type = 'checkout_error' THEN t.called_checkout_window ELSE t.called_help_window END
        - p.called_after_session) / nullif(t.sessions - p.sessions, 0) AS baseline_rate, -- sessions without this trigger
    p.called                                                           AS observed,
    p.sessions * coalesce((CASE WHEN p.event_type = 'checkout_error' THEN t.called_checkout_window ELSE t.called_help_window END
        - p.called_after_session) / nullif(t.sessions - p.sessions, 0), 0) AS expected
FROM per_trigger AS p
CROSS JOIN totals AS t;
