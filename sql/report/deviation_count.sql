-- How many deviation kinds the last conformance run found.
SELECT count(*) FROM deviations;
