-- Where contacts concentrate: per declared segment (mapping `segments:`), value and kind of contact (failure demand, a
-- cause, a reason code), how often the value's customers had it against the segment's other values, in the units of
-- segment_contacts.sql (customers for failure demand; distinct customer-cause or customer-code pairs otherwise).
-- One-sided hypergeometric (Fisher's exact) test, Benjamini-Hochberg, flagged by the rules' tests settings like every
-- other failure-demand table (docs/demand.md). Empty when no segment is declared.
CREATE OR REPLACE TABLE failure_demand_segments AS
SELECT
    CAST(segment AS VARCHAR)                       AS segment,          -- attribute_dictionary.name
    CAST(value AS VARCHAR)                         AS value,
    CAST(measure AS VARCHAR)                       AS measure,          -- failure demand | cause | reason
    CAST(label AS VARCHAR)                         AS label,            -- the cause or reason code
    CAST(CASE measure WHEN 'failure demand' THEN 'customers' WHEN 'cause' THEN 'customer-cause pairs'
         ELSE 'customer-code pairs' END AS VARCHAR) AS unit,
    units,                                                              -- the value's units (of its contacting customers)
    observed                                       AS units_with,       -- of which with this label
    CAST(observed / units AS DOUBLE)               AS share,
    other_units,                                                        -- the same for the segment's other values
    other_observed                                 AS other_units_with,
    CAST(other_observed / nullif(other_units, 0) AS DOUBLE) AS other_share, -- NULL: no other value
    unknown_customers,                                                  -- contacting customers whose value is unknown
    CAST(observed - expected AS DOUBLE)            AS excess,           -- above the other values' share
    CAST(observed / nullif(expected, 0) AS DOUBLE) AS rate_ratio,
    CAST(p_value AS DOUBLE)                        AS p_value,
    CAST(q_value AS DOUBLE)                        AS q_value,          -- Benjamini-Hochberg across the rows that could be
                                                                        -- flagged at all (Tarone); NULL: not tested
    CAST(coalesce(q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected, false)
         AS BOOLEAN)                               AS flagged
FROM segment_contacts
ORDER BY flagged DESC, q_value, excess DESC, segment, value, measure, label;
