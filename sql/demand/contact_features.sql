-- Working table (temporary): every contact of a journey (call, or web help/contact view) with the context the demand rules read.
CREATE OR REPLACE TEMP TABLE contact_features AS
SELECT
    s.event_id                                                         AS contact_id,
    s.journey_id, s.event_order, s.ts, s.channel, s.activity, s.event_type, s.page,
    s.reason_code, s.ivr_path, s.queue, s.outcome, s.duration_s, s.order_id,
    s.product_id                                                       AS recorded_product_id,
    coalesce(s.product_id, j.product_id, s.recent_product_id)          AS product_id,
    CASE WHEN s.product_id IS NOT NULL THEN 'recorded on the contact'
         WHEN j.product_id IS NOT NULL THEN j.product_rule || ' in the journey'
         WHEN s.recent_product_id IS NOT NULL THEN 'viewed before' END AS product_source,
    s.order_stage, s.is_repeat, s.followed_by_repeat, s.previous_contact_id, s.previous_ts, s.previous_outcome, s.previous_ivr_path,
    s.triggers, s.checkout_error_ts, s.help_page_ts, s.help_page, s.viewed_ts, s.placed_ts,
    s.checkout_error_trigger, s.help_page_trigger,             -- website_triggers.trigger of the last one before
    u.activity IS NOT NULL                                             AS unexpected_step
FROM contact_context AS s
LEFT JOIN journey_products AS j ON j.journey_id = s.journey_id AND j.is_primary
LEFT JOIN journey_unexpected_steps AS u ON u.journey_id = s.journey_id AND u.activity = s.activity;
