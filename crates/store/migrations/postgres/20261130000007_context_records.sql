-- Context records (plans of care, authorizations, prior usage) as the clinic loaded them: each
-- under its key, a new version whenever it changes, so a result can be explained by the
-- records it was scrubbed with and a change re-scrubs the patient's unbilled visits.

CREATE TABLE context_records (
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    version INT NOT NULL CHECK (version > 0),
    patient_id TEXT NOT NULL,
    record TEXT NOT NULL,
    intake_id BIGINT NOT NULL REFERENCES intakes (id),
    PRIMARY KEY (kind, record_key, version)
);
CREATE INDEX context_records_by_patient ON context_records (patient_id);
