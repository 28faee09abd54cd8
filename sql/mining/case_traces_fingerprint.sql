-- Query: one row that identifies the content of case_traces (how many traces, and an order-free hash of every trace),
-- kept beside the cluster's partials so that a later night reuses them only for the traces they were made from.
SELECT
    count(*)                                                       AS cases,       -- traces
    coalesce(bit_xor(hash(case_id, codes, times_us, lanes)), 0)    AS fingerprint  -- XOR of each trace's hash
FROM case_traces;
