-- How many events of each source each stitching rule attributed, and the share left without a customer.
CREATE OR REPLACE VIEW stitching_coverage AS
SELECT
    source,                                                    -- web, calls, orders
    stitch_rule,                                               -- rule that decided (or 'not stitched')
    count(*)                                            AS events,
    round(count(*) / sum(count(*)) OVER (PARTITION BY source), 4) AS share_of_source
FROM stitched_events
GROUP BY source, stitch_rule;
