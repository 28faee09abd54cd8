-- Website triggers, flagged first, then by excess calls.
SELECT "trigger", sessions, calls, call_rate, baseline_rate, excess_calls, q_value, flagged
FROM website_failure_contacts ORDER BY flagged DESC, excess_calls DESC NULLS LAST, "trigger";
