-- What one contact of the calls source is called, and many of them, written by the ingest from the mapping's
-- `calls.reasons.noun` (docs/contract.md): one row when the contacts are not calls (complaints, e-mails), none for
-- the contract's calls. The report and the run's lines use it in their wording; no column is renamed by it.
CREATE TABLE IF NOT EXISTS contact_noun (
    singular VARCHAR NOT NULL, -- one contact, as written mid-sentence, e.g. 'complaint'
    plural VARCHAR NOT NULL -- many of them, e.g. 'complaints'
);
