-- The steps of one journey in order, anonymised: channel, lane, activity, time (and since the journey's start), a call's
-- reason code, IVR path and outcome, the contact's failure-demand label and the flagged target a call is counted under
-- (contact_targets: at most one). No phone, e-mail, notes or customer id.
SELECT
    CAST(e.event_order AS BIGINT)                                              AS step,
    e."time:timestamp"                                                         AS ts,
    epoch(e."time:timestamp") - epoch(min(e."time:timestamp") OVER ())         AS seconds_since_start,
    CAST(e."concept:name" AS VARCHAR)                                          AS activity,
    CAST(e.channel AS VARCHAR)                                                 AS channel,
    CAST(e.lane AS VARCHAR)                                                    AS lane,
    CAST(e.reason_code AS VARCHAR)                                             AS reason_code,
    CAST(e.ivr_path AS VARCHAR)                                                AS ivr_path,
    CAST(e.outcome AS VARCHAR)                                                 AS outcome,
    CAST(e.product_id AS VARCHAR)                                              AS product_id,
    CAST(d.demand AS VARCHAR)                                                  AS demand,  -- failure / value; NULL: not a contact
    CAST(d.cause AS VARCHAR)                                                   AS cause,
    CAST(t.target AS VARCHAR)                                                  AS counted_under
FROM journey_events AS e
LEFT JOIN contact_demand AS d ON d.contact_id = e.event_id
LEFT JOIN contact_targets AS t ON t.contact_id = e.event_id
WHERE e."case:concept:name" = $journey_id
ORDER BY e.event_order;
