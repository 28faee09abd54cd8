-- Working table (temporary): one row per order journey (a journey with an order placed) of every company.
CREATE OR REPLACE TEMP TABLE kpi_journeys AS
WITH ordered AS (
    SELECT
        *,
        lag(channel) OVER (PARTITION BY company, journey_id ORDER BY event_order) AS previous_channel
    FROM kpi_events
    WHERE channel IS NOT NULL  -- only customer touches: consecutive touches on different channels are a switch
),
switches AS (
    SELECT company, journey_id, count(*) FILTER (WHERE channel <> previous_channel) AS channel_switches
    FROM ordered
    GROUP BY company, journey_id
),
placed AS (
    SELECT *, min(ts) FILTER (WHERE is_order_placed) OVER (PARTITION BY company, journey_id) AS placed_ts
    FROM kpi_events
),
journey AS (
    SELECT
        company,
        journey_id,
        count(*)                                                          AS steps,
        count(*) FILTER (WHERE is_contact OR is_call)                     AS contacts,
        count(*) FILTER (WHERE is_call)                                   AS calls,
        count(*) FILTER (WHERE (is_contact OR is_call) AND is_failure_demand) AS failure_contacts,
        bool_or(is_failure_demand)                                        AS has_failure_demand, -- NULL: not known
        count(channel)                                                    AS touches,
        min(ts)                                                           AS start_ts,
        max(ts)                                                           AS end_ts,
        min(placed_ts)                                                    AS placed_ts,
        min(ts) FILTER (WHERE is_order_delivered AND ts >= placed_ts)    AS delivered_ts
    FROM placed
    GROUP BY company, journey_id
    HAVING bool_or(is_order_placed)
)
SELECT
    j.company,
    j.journey_id,
    j.steps,                                                             -- events in the journey
    j.contacts,                                                          -- calls and other contacts
    j.calls,
    j.failure_contacts,                                                  -- contacts that are failure demand
    j.has_failure_demand,                                                -- any failure demand; NULL: not known
    -- NULL when the company's log says nothing about channels
    CASE WHEN sum(j.touches) OVER (PARTITION BY j.company) > 0
         THEN coalesce(s.channel_switches, 0) END                        AS channel_switches,
    j.start_ts,
    j.end_ts,
    (epoch(j.placed_ts) - epoch(j.start_ts)) / 3600.0                    AS hours_to_order,    -- first event to order placed
    (epoch(j.delivered_ts) - epoch(j.placed_ts)) / 86400.0               AS days_to_delivery   -- NULL: not delivered (yet)
FROM journey AS j
LEFT JOIN switches AS s USING (company, journey_id);
