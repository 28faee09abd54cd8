-- Macro: the events of the journeys listed in `scope` (a relation with journey_id: all of them, or those a night
-- changed), each with the first call after it in its journey: what the website test reads (web_session_calls_of.sql,
-- web_session_triggers_of.sql).
CREATE OR REPLACE MACRO web_session_events_of(scope) AS TABLE
WITH ev AS (
    SELECT a.journey_id, a.event_order, e.event_id, e.ts, e.source, e.event_type, e.activity, e.page, e.session_id, e.duration_s
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
    WHERE a.journey_id IN (SELECT journey_id FROM query_table(scope))
)
SELECT
    *,
    first_value(CASE WHEN source = 'calls' THEN ts END IGNORE NULLS) OVER following       AS next_call_ts,
    first_value(CASE WHEN source = 'calls' THEN event_id END IGNORE NULLS) OVER following AS next_call_id,
    first_value(CASE WHEN source = 'calls' THEN struct_pack(s := duration_s) END IGNORE NULLS) OVER following
                                                                                              AS next_call_duration
FROM ev
WINDOW following AS (PARTITION BY journey_id ORDER BY event_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING);
