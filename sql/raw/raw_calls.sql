-- Inbound calls as delivered; key call_id. caller_number and notes are personal data.
CREATE TABLE IF NOT EXISTS raw_calls (
    call_id       VARCHAR   NOT NULL,
    caller_number VARCHAR,            -- personal data
    customer_id   VARCHAR,            -- filled when the agent identified the caller
    started_at    TIMESTAMP NOT NULL, -- UTC
    ended_at      TIMESTAMP,          -- UTC
    ivr_path      VARCHAR,
    queue         VARCHAR,
    agent_team    VARCHAR,
    reason_code   VARCHAR   NOT NULL,
    product_id    VARCHAR,
    order_id      VARCHAR,
    outcome       VARCHAR   NOT NULL, -- resolved, transferred, abandoned, callback
    notes         VARCHAR,            -- personal data: free text
    _file_sha256  VARCHAR   NOT NULL
);
