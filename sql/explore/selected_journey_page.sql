-- One page of the selected journeys, earliest first (no customer id: the journey id is all the explorer shows).
SELECT journey_id, journey_type, variant_id, start_ts, end_ts, duration_seconds, events, calls
FROM selected_journeys
ORDER BY start_ts, journey_id
LIMIT $limit OFFSET $offset;
