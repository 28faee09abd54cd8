-- What the calls of the store can tell: how many there are, how many have an end time (handling time) and an IVR path.
SELECT count(*) AS calls, count(ended_at) AS with_end, count(ivr_path) AS with_ivr_path
FROM raw_calls;
