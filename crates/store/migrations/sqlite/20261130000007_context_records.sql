-- Context records, as in migrations/postgres.

CREATE TABLE context_records (
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    patient_id TEXT NOT NULL,
    record TEXT NOT NULL,
    intake_id INTEGER NOT NULL REFERENCES intakes (id),
    PRIMARY KEY (kind, record_key, version)
);
CREATE INDEX context_records_by_patient ON context_records (patient_id);
