-- Failure and value demand by cause, failure demand first, most calls first.
SELECT demand, cause, contacts, calls, journeys, share_of_calls, calls_per_month, agent_hours_per_month,
       calls_without_handling_time, avoidable_calls_per_month
FROM failure_demand_causes ORDER BY demand = 'failure' DESC, calls DESC, contacts DESC, cause;
