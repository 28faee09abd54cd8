-- Activities and transitions only in the design or only in reality.
SELECT kind, source, target, in_design, journeys, frequency
FROM model_diff WHERE in_design <> in_reality
ORDER BY kind, in_design, journeys DESC, frequency DESC, source, target;
