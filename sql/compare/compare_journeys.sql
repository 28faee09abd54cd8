-- Working table of one comparison (temporary): the journeys starting in either period, once per segment they count in,
-- and what happened in their first $follow_up_days days.
-- Only their first days count, and a journey is measured only when it is complete at both edges of the data:
-- its first days are all in the store (followed_up), so journeys still running at the end of the data do not look
-- shorter and calmer than older ones; and it did not begin before the store did (started_in_store): a journey that
-- starts within $lead_in_days days of the store's first event, or an order journey whose order was placed before the
-- store begins, may be the tail of one already under way and would look like a journey without research.
-- $lead_in_days = 0 measures every journey, as if the data began with the business.
CREATE OR REPLACE TEMP TABLE compare_journeys AS
WITH in_period AS (
    SELECT j.journey_id, j.start_ts, p.period
    FROM journeys AS j
    JOIN compare_periods AS p ON j.start_ts >= p.start_ts AND j.start_ts < p.end_ts
),
last_event AS (
    SELECT max("time:timestamp") AS ts, min("time:timestamp") AS first_ts FROM journey_events
),
placed AS (  -- orders whose placing the store holds
    SELECT DISTINCT order_id FROM raw_orders WHERE status = 'placed'
),
first_days AS (
    SELECT
        i.journey_id,
        count(*) AS events,
        count(*) FILTER (WHERE e.source = 'calls') AS calls,
        epoch(max(e."time:timestamp")) - epoch(any_value(i.start_ts)) AS duration_seconds,
        list(DISTINCT e."concept:name") AS activities
    FROM in_period AS i
    JOIN journey_events AS e ON e."case:concept:name" = i.journey_id
    WHERE e."time:timestamp" < i.start_ts + to_days(CAST($follow_up_days AS INTEGER))
    GROUP BY i.journey_id
)
SELECT
    i.journey_id,                                          -- journeys.journey_id
    CAST(i.period AS VARCHAR) AS period,                   -- 'before' or 'after': where its start_ts falls
    s.segment,                                             -- compare_segments.segment: '(all)' or its value
    i.start_ts,                                            -- UTC
    i.start_ts + to_days(CAST($follow_up_days AS INTEGER)) <= l.ts AS followed_up, -- its first days are all in the store
    $lead_in_days = 0 OR (i.start_ts >= l.first_ts + to_days(CAST($lead_in_days AS INTEGER))
        AND (j.order_id IS NULL OR j.order_id IN (SELECT order_id FROM placed))) AS started_in_store, -- not begun before the data
    i.start_ts + to_days(CAST($follow_up_days AS INTEGER)) <= l.ts
        AND ($lead_in_days = 0 OR (i.start_ts >= l.first_ts + to_days(CAST($lead_in_days AS INTEGER))
             AND (j.order_id IS NULL OR j.order_id IN (SELECT order_id FROM placed)))) AS measured, -- both: what journey measures use
    CAST(f.events AS BIGINT) AS events,                    -- events in its first days
    CAST(f.calls AS BIGINT) AS calls,                      -- calls in its first days
    CAST(f.duration_seconds AS DOUBLE) AS duration_seconds, -- first to last event within its first days, seconds
    CAST(f.activities AS VARCHAR[]) AS activities,          -- distinct activities in its first days
    v.variant_id                                           -- case_variants.variant_id (the whole journey)
FROM in_period AS i
JOIN journeys AS j USING (journey_id)
JOIN first_days AS f USING (journey_id)
JOIN compare_segments AS s USING (journey_id)
CROSS JOIN last_event AS l
LEFT JOIN case_variants AS v ON v.case_id = i.journey_id;
