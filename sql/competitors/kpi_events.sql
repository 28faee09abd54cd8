-- Working table (temporary): the events of our order journeys and of every imported benchmark log, in one shape.
CREATE OR REPLACE TEMP TABLE kpi_events AS
SELECT
    'ours'                                              AS company,
    j."case:concept:name"                               AS journey_id,
    j.event_order,                                      -- position in the journey
    j."time:timestamp"                                  AS ts,
    -- the customer's channel; of the order system's events only the order placement is one (web, phone, store)
    CASE WHEN j.source = 'orders' THEN CASE WHEN j."concept:name" = 'Order placed' THEN j.sales_channel END
         ELSE j.channel END                             AS channel,
    j."concept:name" = 'Order placed'                   AS is_order_placed,
    j."concept:name" = 'Order delivered'                AS is_order_delivered,
    j.source = 'calls' OR j."concept:name" IN ('View help page', 'View contact page') AS is_contact,
    j.source = 'calls'                                  AS is_call,
    CASE WHEN $failure_known THEN f.event_id IS NOT NULL END AS is_failure_demand -- NULL: no demand tables yet
FROM journey_events AS j
LEFT JOIN kpi_failure_contacts AS f USING (event_id)
WHERE j."case:concept:name" IN (SELECT journey_id FROM journeys WHERE journey_type = 'order')
UNION ALL
SELECT company, case_id, event_order, ts, channel, is_order_placed, is_order_delivered, is_contact, is_call,
       is_failure_demand
FROM benchmark_events;
