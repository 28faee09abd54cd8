-- Working table (temporary): the browsers whose anonymous journeys the night's changes touch (a web event of theirs
-- that was, or is, without a customer).
CREATE OR REPLACE TEMP TABLE journey_affected_visitors AS
SELECT DISTINCT visitor_id FROM journey_stitch_changes
WHERE source = 'web' AND visitor_id IS NOT NULL AND (old_customer_id IS NULL OR new_customer_id IS NULL);
