-- Macro: one row per contact (call, or web help/contact view) of the journeys listed in `scope` (a relation with
-- journey_id: contact_features for every contact, reclassified_journeys for those a night reclassifies): failure or
-- value demand, its cause and the evidence. The table contact_demand keeps them from night to night (cxmining.demand).
CREATE OR REPLACE TEMP MACRO contact_demand_of(scope) AS TABLE
WITH matched AS (
    SELECT f.*, c.priority, c.rule, c.demand, c.cause
    FROM contact_features AS f
    JOIN contact_causes AS c ON c.contact_id = f.contact_id AND c.context = 'as observed'
    WHERE f.journey_id IN (SELECT journey_id FROM query_table(scope))
)
SELECT
    CAST(m.contact_id AS VARCHAR)      AS contact_id,   -- events.event_id
    CAST(m.journey_id AS VARCHAR)      AS journey_id,   -- journeys.journey_id
    m.ts,                                               -- UTC
    CAST(m.channel AS VARCHAR)         AS channel,      -- phone | web
    CAST(m.activity AS VARCHAR)        AS activity,
    CAST(m.reason_code AS VARCHAR)     AS reason_code,  -- calls only
    CAST(m.page AS VARCHAR)            AS page,         -- web only
    CAST(m.ivr_path AS VARCHAR)        AS ivr_path,
    CAST(m.queue AS VARCHAR)           AS queue,
    CAST(m.outcome AS VARCHAR)         AS outcome,
    CAST(m.duration_s AS DOUBLE)       AS duration_s,   -- handling time of calls
    CAST(m.order_id AS VARCHAR)        AS order_id,
    CAST(m.product_id AS VARCHAR)      AS product_id,   -- recorded, else the journey's product (ordered, else viewed most)
    CAST(m.product_source AS VARCHAR)  AS product_source,
    CAST(m.order_stage AS VARCHAR)     AS order_stage,  -- where the journey's order stood at the contact
    m.is_repeat,                                        -- a call on the same matter within the repeat window
    CAST(CASE WHEN m.is_repeat THEN m.previous_contact_id END AS VARCHAR) AS repeat_of, -- the contact it repeats
    m.followed_by_repeat,                               -- another call on the same matter followed within the window
    m.unexpected_step,                                  -- a step the designed process does not have
    CAST(m.demand AS VARCHAR)          AS demand,       -- failure | value
    CAST(m.cause AS VARCHAR)           AS cause,
    CAST(m.rule AS VARCHAR)            AS rule,         -- the first rule that matched
    CAST(concat_ws('; ',
        CASE WHEN m.reason_code IS NOT NULL THEN 'reason ' || m.reason_code END,
        CASE WHEN m.page IS NOT NULL THEN 'page ' || m.page END,
        'order stage: ' || m.order_stage,
        CASE WHEN m.is_repeat THEN printf('repeat %.1f days after a %s call', (epoch(m.ts) - epoch(m.previous_ts)) / 86400.0,
                                          coalesce(m.previous_outcome, 'previous')) END,
        CASE WHEN list_contains(m.triggers, 'checkout_error')
             THEN printf('%.1f h after a checkout error', (epoch(m.ts) - epoch(m.checkout_error_ts)) / 3600.0) END,
        CASE WHEN list_contains(m.triggers, 'help_page')
             THEN printf('%.1f h after help page %s', (epoch(m.ts) - epoch(m.help_page_ts)) / 3600.0, m.help_page) END,
        CASE WHEN m.product_id IS NOT NULL THEN 'product ' || m.product_id || ' (' || m.product_source || ')' END,
        CASE WHEN m.viewed_ts IS NOT NULL AND m.channel = 'phone'
             THEN printf('last product page %.1f h before', (epoch(m.ts) - epoch(m.viewed_ts)) / 3600.0) END,
        CASE WHEN m.placed_ts IS NOT NULL AND m.ts >= m.placed_ts
             THEN printf('ordered %.1f days before', (epoch(m.ts) - epoch(m.placed_ts)) / 86400.0) END,
        CASE WHEN m.unexpected_step THEN 'a step the designed process does not have' END
    ) AS VARCHAR)                      AS evidence      -- readable; no personal data
FROM matched AS m
ORDER BY m.ts, m.contact_id;
