-- The activity template of the organisation's own call reason codes, written by the ingest from the mapping's
-- `calls.reasons` setting (docs/contract.md): one row when the codes are the organisation's own, none when the calls
-- carry the contract's fixed codes (their activities come from activity_vocabulary).
CREATE TABLE IF NOT EXISTS call_reason_template (
    activity VARCHAR NOT NULL -- each call's activity, with {reason} standing for its reason code, e.g. 'Complaint: {reason}'
);
