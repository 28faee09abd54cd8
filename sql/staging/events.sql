-- One row per customer-visible event from web, calls and orders, in UTC, with a readable activity and lane
-- (the columns and rules: events_of.sql, docs/events.md). Personal data (caller_number, notes, phone, e-mail) is
-- deliberately left out.
CREATE OR REPLACE VIEW events AS
SELECT * FROM events_of('raw_web', 'raw_calls', 'raw_orders');
