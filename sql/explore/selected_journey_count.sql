-- How many journeys the request selected.
SELECT CAST(count(*) AS BIGINT) AS journeys FROM selected_journeys;
