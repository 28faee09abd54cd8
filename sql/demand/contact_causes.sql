-- Working table (temporary): the first demand rule that matches each contact as it happened ('as observed'), and the one
-- that would match had it come after a help page ('help_page') or a checkout error ('checkout_error'). The website test
-- compares like with like: sessions with and without a trigger, followed by calls the rules would blame on that trigger.
-- Of the latter two, only the rows whose rule blames that very trigger are kept: all the website test reads of them. The
-- rules read only a few columns of a contact: each distinct combination of them (a few hundred) is matched once and its
-- rule given to every contact that has it.
CREATE OR REPLACE TEMP TABLE contact_causes AS
WITH kinds AS (  -- what the rules read of a contact
    SELECT DISTINCT channel, reason_code, page, order_stage, is_repeat, previous_outcome, triggers, unexpected_step
    FROM contact_features
),
contexts AS (
    SELECT
        k.*, c.context,
        CASE WHEN c.context = 'as observed' THEN k.triggers
             ELSE list_distinct(list_append(k.triggers, c.context)) END AS context_triggers
    FROM kinds AS k
    CROSS JOIN (VALUES ('as observed'), ('help_page'), ('checkout_error')) AS c(context)
),
matched AS (
    SELECT
        x.channel, x.reason_code, x.page, x.order_stage, x.is_repeat, x.previous_outcome, x.triggers, x.unexpected_step,
        CAST(x.context AS VARCHAR) AS context,  -- as observed | help_page | checkout_error
        r.priority, r.name AS rule, r.demand, r.cause,
        r.after                    AS rule_after, -- the triggers the matching rule looks for (NULL: none)
        CASE WHEN list_contains(r.after, 'checkout_error') AND list_contains(x.context_triggers, 'checkout_error')
             THEN 'checkout_error'
             WHEN list_contains(r.after, 'help_page') AND list_contains(x.context_triggers, 'help_page')
             THEN 'help_page' END   AS blamed_trigger -- what came before that the rule blames: a checkout error over a help page
    FROM contexts AS x
    JOIN demand_rules AS r ON
            (r.channels IS NULL OR list_contains(r.channels, x.channel))
        AND (r.reason_codes IS NULL OR list_contains(r.reason_codes, x.reason_code))
        AND (r.pages IS NULL OR list_bool_or(list_transform(r.pages, lambda p: starts_with(coalesce(x.page, ''), p))))
        AND (r.order_stages IS NULL OR list_contains(r.order_stages, x.order_stage))
        AND (r.is_repeat IS NULL OR r.is_repeat = x.is_repeat)
        AND (r.previous_outcomes IS NULL OR list_contains(r.previous_outcomes, x.previous_outcome))
        AND (r.after IS NULL OR list_has_any(r.after, x.context_triggers))
        AND (r.unexpected_step IS NULL OR r.unexpected_step = x.unexpected_step)
    QUALIFY row_number() OVER (PARTITION BY x.channel, x.reason_code, x.page, x.order_stage, x.is_repeat,
                                            x.previous_outcome, x.triggers, x.unexpected_step, x.context
                               ORDER BY r.priority) = 1
),
kept AS (  -- as observed, or blamed on the trigger it is imagined after
    SELECT * FROM matched WHERE context = 'as observed' OR blamed_trigger = context
)
SELECT f.contact_id, m.context, m.priority, m.rule, m.demand, m.cause, m.rule_after, m.blamed_trigger
FROM contact_features AS f
JOIN kept AS m ON
        f.channel IS NOT DISTINCT FROM m.channel AND f.reason_code IS NOT DISTINCT FROM m.reason_code
    AND f.page IS NOT DISTINCT FROM m.page AND f.order_stage IS NOT DISTINCT FROM m.order_stage
    AND f.is_repeat IS NOT DISTINCT FROM m.is_repeat AND f.previous_outcome IS NOT DISTINCT FROM m.previous_outcome
    AND f.triggers IS NOT DISTINCT FROM m.triggers AND f.unexpected_step IS NOT DISTINCT FROM m.unexpected_step;
