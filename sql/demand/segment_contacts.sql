-- Working table of the segment test (temporary): per declared segment, value and kind of contact, how often the value's
-- customers had such a contact against the segment's other values (docs/demand.md, "Where contacts concentrate").
-- * failure demand: of the contacting customers, those with a failure-demand contact;
-- * a cause or a reason code: of the customers' distinct (customer, cause) or (customer, code) pairs, those of this
--   cause or code. Pairs, not contacts: one customer's repeated complaints on a topic are one (they are not
--   independent), and a segment whose customers contact more often has more pairs of every kind, not a higher share.
-- Customers without a value of the segment are counted apart (unknown), in neither group.
CREATE OR REPLACE TEMP TABLE segment_contacts AS
WITH contacts AS (
    SELECT j.customer_id, d.demand, d.cause, d.reason_code
    FROM contact_demand AS d
    JOIN journeys AS j USING (journey_id)
    WHERE j.customer_id IS NOT NULL
),
contacting AS (SELECT DISTINCT customer_id FROM contacts),
segmented AS (  -- each contacting customer's value of each segment it has one of
    SELECT s.segment, s.value, s.customer_id
    FROM customer_segments AS s
    SEMI JOIN contacting USING (customer_id)
),
units AS (  -- the units each measure counts, and which of them have the label
    SELECT DISTINCT customer_id, 'failure demand' AS measure, 'failure demand' AS label,
           bool_or(demand = 'failure') OVER (PARTITION BY customer_id) AS marked
    FROM contacts
    UNION ALL
    SELECT DISTINCT customer_id, 'cause', cause, true FROM contacts WHERE cause IS NOT NULL
    UNION ALL
    SELECT DISTINCT customer_id, 'reason', reason_code, true FROM contacts WHERE reason_code IS NOT NULL
),
per_value AS (  -- per segment value and measure: units in all, and per label those that have it
    SELECT s.segment, s.value, u.measure, u.label,
           count(*) FILTER (WHERE u.marked) AS observed,
           sum(count(*)) OVER (PARTITION BY s.segment, s.value, u.measure) AS units
    FROM segmented AS s JOIN units AS u USING (customer_id)
    GROUP BY s.segment, s.value, u.measure, u.label
),
grid AS (  -- every value of a segment against every label of a measure (a value without the label has 0 of it)
    SELECT v.segment, v.value, v.measure, l.label, v.units
    FROM (SELECT DISTINCT segment, value, measure, units FROM per_value) AS v
    JOIN (SELECT DISTINCT segment, measure, label FROM per_value WHERE observed > 0) AS l USING (segment, measure)
),
counted AS (
    SELECT g.*, coalesce(p.observed, 0) AS observed
    FROM grid AS g
    LEFT JOIN per_value AS p USING (segment, value, measure, label)
),
totals AS (
    SELECT *,
           sum(units) OVER (PARTITION BY segment, measure, label) - units       AS other_units,
           sum(observed) OVER (PARTITION BY segment, measure, label) - observed AS other_observed
    FROM counted
)
SELECT
    segment, value, measure, label,
    segment || '=' || value || '|' || measure || '|' || label                  AS key,
    CAST(units AS BIGINT)                                                     AS units,
    CAST(observed AS BIGINT)                                                  AS observed,
    CAST(other_units AS BIGINT)                                               AS other_units,
    CAST(other_observed AS BIGINT)                                            AS other_observed,
    CAST((SELECT count(*) FROM contacting)
         - (SELECT count(*) FROM segmented AS s WHERE s.segment = t.segment) AS BIGINT) AS unknown_customers,
    -- at the share of the segment's other values (NULL: no other value to compare with)
    CAST(units * other_observed / nullif(other_units, 0) AS DOUBLE)          AS expected
FROM totals AS t;
