-- Phone keys that identify exactly one customer (a number shared by several customers identifies none).
CREATE OR REPLACE VIEW customer_phone_keys AS
SELECT
    phone_key(phone)      AS phone_key,   -- see phone_key.sql
    any_value(customer_id) AS customer_id -- the one customer with this number
FROM raw_customers
WHERE phone_key(phone) IS NOT NULL
GROUP BY phone_key(phone)
HAVING count(DISTINCT customer_id) = 1;
