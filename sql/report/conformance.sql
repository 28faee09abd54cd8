-- Conformance per journey type (the last run of each), for the report's table and run metrics.
SELECT coalesce(journey_type, 'all') AS journey_type, journeys, variants, fitness, fitting_share, precision,
       timed_out_journeys
FROM conformance_summary ORDER BY journey_type;
