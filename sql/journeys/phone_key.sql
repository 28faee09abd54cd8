-- Macro: the comparable form of a phone number, so '+31 6 1234 5678', '06-12345678' and '0031612345678' match.
-- Rule: drop a '(0)' trunk marker, keep digits only, compare the last 9 digits (the subscriber
-- number without country code or trunk prefix); numbers with fewer than 9 digits do not match anything.
CREATE OR REPLACE MACRO phone_key(phone) AS
    CASE WHEN length(regexp_replace(replace(phone, '(0)', ''), '[^0-9]', '', 'g')) >= 9
         THEN right(regexp_replace(replace(phone, '(0)', ''), '[^0-9]', '', 'g'), 9) END;
