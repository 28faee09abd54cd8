-- The activities of the selected journeys: events, journeys, the lane doing most of them, mean position (0 first, 1 last).
SELECT
    CAST(e."concept:name" AS VARCHAR)                  AS activity,
    CAST(count(*) AS BIGINT)                           AS events,
    CAST(count(DISTINCT e."case:concept:name") AS BIGINT) AS journeys,
    CAST(mode(e.lane) AS VARCHAR)                      AS lane
FROM journey_events AS e
JOIN selected_journeys AS s ON s.journey_id = e."case:concept:name"
GROUP BY e."concept:name"
ORDER BY events DESC, activity;
