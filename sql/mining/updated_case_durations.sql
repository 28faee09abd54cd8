-- Query: case_durations with the rows of the traces a mining run changed (trace_changes) replaced, or derived from
-- every trace ($everything); cxmining.mining.statistics replaces the table with it.
SELECT * FROM case_durations
WHERE NOT $everything AND case_id NOT IN (SELECT case_id FROM trace_changes($everything))
UNION ALL
SELECT
    case_id,                                                 -- case (journey) identifier
    make_timestamp(list_min(times_us)) AS start_time,        -- time of the case's first event, UTC
    make_timestamp(list_max(times_us)) AS end_time,          -- time of the case's last event, UTC
    -- whole microseconds first, so the seconds are exact to the microsecond
    CAST(list_max(times_us) - list_min(times_us) AS DOUBLE) / 1e6 AS duration_seconds, -- end_time - start_time, seconds
    CAST(len(times_us) AS BIGINT) AS events                  -- number of events in the case
FROM trace_changes($everything)
WHERE sign = 1;
