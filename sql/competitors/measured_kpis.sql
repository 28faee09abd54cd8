-- Working table (temporary): every KPI of every company with journeys (ours and imported logs), one row per metric.
CREATE OR REPLACE TEMP TABLE measured_kpis AS
WITH per_company AS (
    SELECT
        company,
        strftime(min(start_ts), '%Y-%m-%d') || '..' || strftime(max(end_ts), '%Y-%m-%d') AS data_period,
        {'value': avg(steps),                 'n': count(*)}                        AS steps_per_order,
        {'value': median(steps)::DOUBLE,      'n': count(*)}                        AS steps_per_order_median,
        {'value': avg(contacts),              'n': count(*)}                        AS contacts_per_order,
        {'value': avg(calls),                 'n': count(*)}                        AS calls_per_order,
        {'value': avg(channel_switches),      'n': count(channel_switches)}         AS channel_switches_per_journey,
        {'value': avg((channel_switches > 0)::DOUBLE), 'n': count(channel_switches)} AS channel_switch_share,
        {'value': avg(hours_to_order),        'n': count(hours_to_order)}           AS hours_to_order,
        {'value': median(hours_to_order),     'n': count(hours_to_order)}           AS hours_to_order_median,
        {'value': avg(days_to_delivery),      'n': count(days_to_delivery)}         AS days_to_delivery,
        {'value': median(days_to_delivery),   'n': count(days_to_delivery)}         AS days_to_delivery_median,
        {'value': avg(has_failure_demand::DOUBLE), 'n': count(has_failure_demand)} AS failure_demand_journey_share,
        {'value': sum(failure_contacts) FILTER (WHERE has_failure_demand IS NOT NULL)
                  / nullif(sum(contacts) FILTER (WHERE has_failure_demand IS NOT NULL), 0),
         'n': coalesce(sum(contacts) FILTER (WHERE has_failure_demand IS NOT NULL), 0)::BIGINT} AS failure_demand_contact_share
    FROM kpi_journeys
    GROUP BY company
)
SELECT
    company,
    metric,                          -- cxmining.benchmark.METRICS
    CAST(kpi.value AS DOUBLE) AS value,
    CAST(kpi.n AS BIGINT)     AS n,  -- journeys behind the figure (contacts for failure_demand_contact_share)
    data_period                      -- first to last day of the order journeys measured
FROM (
    UNPIVOT per_company
    ON steps_per_order, steps_per_order_median, contacts_per_order, calls_per_order, channel_switches_per_journey,
       channel_switch_share, hours_to_order, hours_to_order_median, days_to_delivery, days_to_delivery_median,
       failure_demand_journey_share, failure_demand_contact_share
    INTO NAME metric VALUE kpi
);
