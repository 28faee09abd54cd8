-- Working table of one comparison (temporary): the calls of the journeys made in either period, by the call's own start time,
-- once per segment their journey counts in.
-- A call belongs to the period it was made in (an IVR change affects calls after it, whenever their journey began).
CREATE OR REPLACE TEMP TABLE compare_calls AS
WITH calls AS (
    SELECT
        e."case:concept:name" AS journey_id, e.call_id, e."time:timestamp" AS ts,
        e.reason_code, e.ivr_path, e.outcome, e.duration_s,
        lead(e."time:timestamp") OVER (PARTITION BY e."case:concept:name" ORDER BY e.event_order) AS next_call_ts
    FROM journey_events AS e
    WHERE e.source = 'calls'
),
last_event AS (
    SELECT max("time:timestamp") AS ts FROM journey_events
)
SELECT
    c.call_id,                                     -- raw_calls.call_id
    CAST(p.period AS VARCHAR) AS period,           -- 'before' or 'after': where the call's start falls
    s.segment,                                     -- compare_segments.segment of its journey
    c.reason_code,                                 -- why the customer called
    c.ivr_path,                                    -- IVR menu path taken
    c.outcome,                                     -- resolved, transferred, abandoned, callback
    c.outcome = 'transferred' AS transferred,
    c.outcome = 'abandoned' AS abandoned,
    -- NULL when the window reaches past the store's last event: whether a repeat came is not known yet
    CASE WHEN c.ts + to_days(CAST($repeat_days AS INTEGER)) <= l.ts
         THEN coalesce(c.next_call_ts <= c.ts + to_days(CAST($repeat_days AS INTEGER)), false)
    END AS repeated,                               -- another call in the same journey within $repeat_days days
    CAST(c.duration_s AS DOUBLE) AS duration_s     -- handling time, seconds
FROM calls AS c
JOIN compare_periods AS p ON c.ts >= p.start_ts AND c.ts < p.end_ts
JOIN compare_segments AS s USING (journey_id)
CROSS JOIN last_event AS l;
