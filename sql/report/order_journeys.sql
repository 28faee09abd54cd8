-- Journeys that end in an order.
SELECT count(*) FROM journeys WHERE journey_type = 'order';
