-- Working view of one explorer request (temporary), when conformance has not run: no variant checked.
CREATE OR REPLACE TEMP VIEW variant_fitness AS
SELECT CAST(NULL AS BIGINT) AS variant_id, CAST(NULL AS DOUBLE) AS fitness, TRUE AS checked
WHERE false;
