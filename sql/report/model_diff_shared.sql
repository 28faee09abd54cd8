-- How many activities and transitions the design and reality share, per kind.
SELECT kind, count(*) FROM model_diff WHERE in_design AND in_reality GROUP BY kind;
