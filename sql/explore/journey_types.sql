-- The journey types, with their journeys and first and last start (the explorer's filter choices).
SELECT CAST(journey_type AS VARCHAR) AS journey_type, CAST(count(*) AS BIGINT) AS journeys,
       CAST(min(start_ts) AS DATE) AS first_day, CAST(max(start_ts) AS DATE) AS last_day
FROM journeys
GROUP BY journey_type
ORDER BY journeys DESC, journey_type;
