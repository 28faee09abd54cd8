-- Query: one bucket's cases with their activity codes, for case_variants once the merged variants have their ids.
SELECT
    case_id, -- case (journey) identifier
    codes    -- the case's variant as activity codes
FROM bucket_traces;
