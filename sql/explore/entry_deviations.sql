-- The explorer's landing page: the deviations affecting most journeys.
SELECT deviation_type, activity, after_step, before_step, journeys, share
FROM deviations
ORDER BY journeys DESC, deviation_id
LIMIT $limit;
