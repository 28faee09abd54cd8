-- Query: the traces of the cases in mining_events, for case_traces: activity codes, times and lanes in event order;
-- those of pass $chunk of $chunks (cases split by a hash of their id: an ordered list aggregate keeps all its rows in
-- memory and cannot spill, so a big log is aggregated a share of its cases at a time).
SELECT
    CAST(e."case:concept:name" AS VARCHAR) AS case_id,
    -- event_order breaks ties in time, so the sequence never depends on timestamps alone
    CAST(list(a.code ORDER BY e.event_order) AS INTEGER[]) AS codes,
    CAST(list(epoch_us(e."time:timestamp") ORDER BY e.event_order) AS BIGINT[]) AS times_us,
    CAST(list(e.lane ORDER BY e.event_order) AS VARCHAR[]) AS lanes
FROM mining_events AS e
JOIN activity_codes AS a ON a.activity = e."concept:name"
WHERE $chunks = 1 OR hash(e."case:concept:name") % $chunks = $chunk
GROUP BY e."case:concept:name";
