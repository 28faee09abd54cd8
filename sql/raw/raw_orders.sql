-- Order-line status changes as delivered; key (order_id, product_id, status, ts).
CREATE TABLE IF NOT EXISTS raw_orders (
    order_id      VARCHAR   NOT NULL,
    customer_id   VARCHAR   NOT NULL,
    product_id    VARCHAR   NOT NULL,
    quantity      BIGINT,
    status        VARCHAR   NOT NULL, -- placed, paid, shipped, delivered, cancelled, return_requested, returned, refunded, exchanged
    ts            TIMESTAMP NOT NULL, -- UTC
    sales_channel VARCHAR,            -- web, phone, store
    return_reason VARCHAR,
    _file_sha256  VARCHAR   NOT NULL
);
