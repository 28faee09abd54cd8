-- The contacts' reason codes the demand rules file's code list does not name, most contacts first.
SELECT code, contacts FROM unknown_reason_codes ORDER BY contacts DESC, code;
