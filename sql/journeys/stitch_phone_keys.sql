-- The phone keys the stitching last used (customer_phone_keys as it was; journey_phone_keys holds them during a
-- build): a night restitches the calls of keys whose customer changed since.
CREATE OR REPLACE TABLE stitch_phone_keys AS
SELECT phone_key, customer_id FROM journey_phone_keys;
