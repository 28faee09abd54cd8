-- Product catalogue as delivered; one row per product, the latest delivery wins.
CREATE TABLE IF NOT EXISTS raw_products (
    product_id   VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    category     VARCHAR NOT NULL,
    description  VARCHAR,        -- as shown on the website; may contain HTML
    price        DECIMAL(18, 4),
    _file_sha256 VARCHAR NOT NULL -- lineage: ingested_files.sha256 of the delivering file
);
