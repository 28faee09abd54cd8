-- What the last what-if run was calibrated on: the scenarios simulated (a hash of them) and the observed calls of the
-- journeys by reason and outcome. The nightly run simulates again only when the scenarios changed or the calls moved
-- far enough since (cxmining.whatif.results.whatif_due).
CREATE TABLE IF NOT EXISTS whatif_basis (
    scenarios_sha256 VARCHAR, -- the scenarios as simulated, replications and seed included
    reason_code      VARCHAR, -- contact_demand.reason_code of the calls
    outcome          VARCHAR, -- their outcome
    calls            BIGINT   -- how many there were
);
