-- Kept: how many events the `events` view held, from when to when, when the raw tables held these rows (one row).
-- Counting the view aggregates every order line, so the run, the report and the run history read this instead while
-- the raw tables' row counts are those recorded (they only grow: rows are added, never changed); cxmining.store.span.
CREATE TABLE IF NOT EXISTS event_span (
    web_rows   BIGINT,    -- rows of raw_web when counted
    call_rows  BIGINT,    -- rows of raw_calls
    order_rows BIGINT,    -- rows of raw_orders
    events     BIGINT,    -- rows of the events view
    first_ts   TIMESTAMP, -- its first event, UTC (NULL: none)
    last_ts    TIMESTAMP  -- its last event, UTC
);
