-- Macro: the customer the caller's number identifies, for each call of `calls` (a table shaped like raw_calls) whose
-- number is one customer's in `keys` (rows of customer_phone_keys).
CREATE OR REPLACE MACRO call_customers_of(calls, keys) AS TABLE
SELECT c.call_id, k.customer_id
FROM query_table(calls) AS c
JOIN query_table(keys) AS k ON k.phone_key = phone_key(c.caller_number);
