-- Customer master data as delivered; one row per customer, the latest delivery wins. Personal data.
CREATE TABLE IF NOT EXISTS raw_customers (
    customer_id  VARCHAR NOT NULL,
    phone        VARCHAR,         -- personal data, any notation
    email        VARCHAR,         -- personal data
    created_at   TIMESTAMP,       -- UTC
    _file_sha256 VARCHAR NOT NULL
);
