-- Website events as delivered; key event_id.
CREATE TABLE IF NOT EXISTS raw_web (
    event_id     VARCHAR   NOT NULL,
    session_id   VARCHAR   NOT NULL,
    visitor_id   VARCHAR   NOT NULL,
    customer_id  VARCHAR,            -- empty until the visitor logs in
    ts           TIMESTAMP NOT NULL, -- UTC
    event_type   VARCHAR   NOT NULL,
    page         VARCHAR,
    product_id   VARCHAR,
    order_id     VARCHAR,
    _file_sha256 VARCHAR   NOT NULL
);
