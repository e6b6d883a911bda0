-- EMR interfaces, as in migrations/postgres.

CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sending_application TEXT NOT NULL,
    sending_facility TEXT NOT NULL,
    control_id TEXT NOT NULL,
    message_type TEXT NOT NULL,
    channel TEXT,
    raw BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processed', 'error', 'rejected')),
    ack TEXT NOT NULL,
    issues TEXT,
    records TEXT,
    intake_id INTEGER NOT NULL REFERENCES intakes (id),
    reprocessed_at TEXT,
    UNIQUE (sending_application, sending_facility, control_id)
);
CREATE INDEX inbound_messages_unprocessed ON inbound_messages (status, id) WHERE status <> 'processed';

CREATE TABLE patient_records (
    patient_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    clinic_id TEXT NOT NULL,
    record TEXT NOT NULL,
    message_id INTEGER NOT NULL REFERENCES inbound_messages (id),
    PRIMARY KEY (patient_id, version)
);

CREATE TABLE scheduled_visits (
    clinic_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    start_time TEXT,
    duration_minutes INTEGER,
    status TEXT NOT NULL,
    clinician_npi TEXT,
    discipline TEXT,
    planned_codes TEXT NOT NULL,
    message_id INTEGER NOT NULL REFERENCES inbound_messages (id),
    PRIMARY KEY (clinic_id, appointment_id)
);
CREATE INDEX scheduled_visits_by_patient ON scheduled_visits (patient_id, date_of_service);
