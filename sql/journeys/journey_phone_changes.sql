-- Working table (temporary): phone keys whose customer changed since the last build (journey_phone_keys: the
-- customer_phone_keys of this build) (a number now shared, no longer
-- shared, new or gone): their calls are stitched again.
CREATE OR REPLACE TEMP TABLE journey_phone_changes AS
SELECT coalesce(n.phone_key, o.phone_key) AS phone_key
FROM journey_phone_keys AS n
FULL OUTER JOIN stitch_phone_keys AS o ON o.phone_key = n.phone_key
WHERE n.customer_id IS DISTINCT FROM o.customer_id;
