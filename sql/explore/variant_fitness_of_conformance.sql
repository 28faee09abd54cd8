-- Working view of one explorer request (temporary): each checked variant's fitness (NULL: timed out).
CREATE OR REPLACE TEMP VIEW variant_fitness AS
SELECT CAST(variant_id AS BIGINT) AS variant_id, CAST(fitness AS DOUBLE) AS fitness, TRUE AS checked
FROM variant_conformance;
