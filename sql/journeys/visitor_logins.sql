-- Web sessions in which a visitor logged in, with the customer they logged in as (visitor_logins_of.sql).
CREATE OR REPLACE VIEW visitor_logins AS
SELECT * FROM visitor_logins_of('raw_web');
