-- Working table (temporary): the rules of the demand rules file, one row each, tried in priority order (docs/demand.md).
CREATE OR REPLACE TEMP TABLE demand_rules (
    priority          INTEGER NOT NULL, -- 1 = tried first
    name              VARCHAR NOT NULL, -- rule name, shown as contact_demand.rule
    demand            VARCHAR NOT NULL, -- failure | value
    cause             VARCHAR NOT NULL, -- what the contact is attributed to
    channels          VARCHAR[],        -- conditions: NULL = any
    reason_codes      VARCHAR[],
    pages             VARCHAR[],        -- page prefixes
    order_stages      VARCHAR[],
    is_repeat         BOOLEAN,
    previous_outcomes VARCHAR[],
    after             VARCHAR[],        -- checkout_error, help_page
    unexpected_step   BOOLEAN
);
