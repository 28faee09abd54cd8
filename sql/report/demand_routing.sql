-- IVR paths and reasons, flagged first, then by calls.
SELECT ivr_path, reason_code, queue, calls, transferred, transfer_rate, expected_transfer_rate, repeat_calls,
       repeat_rate, q_value, flagged
FROM routing_failure ORDER BY flagged DESC, calls DESC, ivr_path, reason_code;
