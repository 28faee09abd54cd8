-- What each delivered row says of its customer's segments (`segments:` of a mapping section, docs/contract.md): one row per
-- row with a customer and a value. customer_segments picks each customer's value.
CREATE TABLE IF NOT EXISTS raw_segments (
    source       VARCHAR   NOT NULL, -- customers | orders | web | calls
    customer_id  VARCHAR   NOT NULL, -- as recorded in the source
    segment      VARCHAR   NOT NULL, -- its name in the mapping, e.g. age
    value        VARCHAR   NOT NULL, -- as delivered (after the mapping's value map)
    seen_at      TIMESTAMP,          -- when the row happened (UTC); NULL for the customers source, which wins
    _file_sha256 VARCHAR   NOT NULL
);
