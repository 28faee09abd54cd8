-- The customer each web session belongs to, and the rule that decided it (session_customers_of.sql).
CREATE OR REPLACE VIEW session_customers AS
SELECT * FROM session_customers_of('raw_web');
