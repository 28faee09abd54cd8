-- Each customer's value of each segment a mapping declared (docs/contract.md): the customers source's when it has one
-- (the latest delivery), else that of the customer's latest row with a value (ties: the smallest value). A customer
-- without a value has no row: unknown, not a value of its own.
CREATE OR REPLACE VIEW customer_segments AS
SELECT
    customer_id,                                -- as recorded in the sources (journeys.customer_id)
    segment,                                    -- attribute_dictionary.name
    value,                                      -- its value
    count(DISTINCT value) OVER (PARTITION BY customer_id, segment) AS values_seen -- values its rows gave (an office can change)
FROM raw_segments
QUALIFY row_number() OVER (PARTITION BY customer_id, segment
                           ORDER BY source = 'customers' DESC, seen_at DESC NULLS FIRST, value) = 1;
