-- Macro: what a mining run changed in case_traces, as signed traces: +1 for every trace read again (every trace when
-- `everything`, else those of changed_journeys), -1 for the trace it replaced (replaced_traces). A kept count adds up
-- its rows' contributions times `sign`.
CREATE OR REPLACE TEMP MACRO trace_changes(everything) AS TABLE
SELECT 1 AS sign, t.case_id, t.codes, t.times_us, t.lanes
FROM case_traces AS t
WHERE everything OR t.case_id IN (SELECT journey_id FROM changed_journeys)
UNION ALL
SELECT -1 AS sign, r.case_id, r.codes, r.times_us, r.lanes
FROM replaced_traces AS r
WHERE NOT everything;
