-- Loaded landing files whose rows do not add up; a consistent store returns nothing. A file breaks the rule when
--   rows_read <> rows_loaded + rows_quarantined + rows_duplicate (the manifest contradicts itself),
--   the quarantine holds another number of its rows than rows_quarantined, or
--   (calls, web, orders: rows are only ever inserted) its raw table holds another number of its rows than rows_loaded.
WITH quarantined AS (
    SELECT file_sha256, count(*) AS rows FROM quarantine GROUP BY file_sha256
), raw_facts AS (
    SELECT 'calls' AS source, _file_sha256 AS file_sha256, count(*) AS rows FROM raw_calls GROUP BY _file_sha256
    UNION ALL
    SELECT 'web', _file_sha256, count(*) FROM raw_web GROUP BY _file_sha256
    UNION ALL
    SELECT 'orders', _file_sha256, count(*) FROM raw_orders GROUP BY _file_sha256
)
SELECT
    f.source,
    f.path,
    f.sha256,
    f.rows_read,
    f.rows_loaded,
    f.rows_quarantined,
    f.rows_duplicate,
    coalesce(q.rows, 0) AS quarantine_rows,
    CASE WHEN f.source IN ('calls', 'web', 'orders') THEN coalesce(r.rows, 0) END AS raw_rows
FROM ingested_files AS f
LEFT JOIN quarantined AS q ON q.file_sha256 = f.sha256
LEFT JOIN raw_facts AS r ON r.source = f.source AND r.file_sha256 = f.sha256
WHERE f.status = 'loaded'
  AND (f.rows_read IS DISTINCT FROM f.rows_loaded + f.rows_quarantined + f.rows_duplicate
       OR coalesce(q.rows, 0) IS DISTINCT FROM f.rows_quarantined
       OR (f.source IN ('calls', 'web', 'orders') AND coalesce(r.rows, 0) IS DISTINCT FROM f.rows_loaded))
ORDER BY f.source, f.path
