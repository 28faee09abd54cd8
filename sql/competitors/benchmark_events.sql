-- Events of other companies' journeys (mystery shopping, published logs), kept apart from our own journeys.
CREATE TABLE IF NOT EXISTS benchmark_events (
    company            VARCHAR   NOT NULL, -- --company of the import; re-importing a company replaces all its rows
    case_id            VARCHAR   NOT NULL, -- journey id as in the file
    event_order        BIGINT    NOT NULL, -- 1-based position in the journey: by ts, ties in file order
    activity           VARCHAR   NOT NULL, -- as in the file
    ts                 TIMESTAMP NOT NULL, -- UTC; naive timestamps were read in the mapping's timezone
    channel            VARCHAR,            -- the customer's channel (web, phone, chat...); NULL: not a customer touch
    is_order_placed    BOOLEAN   NOT NULL, -- activity listed under activities.order_placed
    is_order_delivered BOOLEAN   NOT NULL, -- activity listed under activities.order_delivered
    is_contact         BOOLEAN   NOT NULL, -- a call, or an activity listed under activities.contacts
    is_call            BOOLEAN   NOT NULL, -- activity listed under activities.calls
    is_failure_demand  BOOLEAN,            -- from the failure-demand column or activities.failure_demand; NULL: the log does not say
    source             VARCHAR   NOT NULL, -- where the figures come from (mapping `source`, default: the file name)
    period             VARCHAR,            -- period the log covers as given in the mapping; NULL: its first to last day
    source_file        VARCHAR   NOT NULL, -- name of the imported file
    file_row           BIGINT    NOT NULL, -- 1-based data row in that file (header excluded)
    imported_at        TIMESTAMP NOT NULL  -- UTC time of the import
);
