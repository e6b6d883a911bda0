-- EMR interfaces. Every HL7 v2 message received is kept as its raw bytes with the
-- acknowledgment sent for it, in the transaction that stores what it became: a message is
-- acknowledged only once it is durable, and the same control id from the same sender gets the
-- same acknowledgment again instead of a second posting. Messages that could not be mapped
-- stay here (status `error` or `rejected`) until reprocessed.

CREATE TABLE inbound_messages (
    id BIGSERIAL PRIMARY KEY,
    sending_application TEXT NOT NULL,
    sending_facility TEXT NOT NULL,
    control_id TEXT NOT NULL,
    message_type TEXT NOT NULL,
    channel TEXT,
    raw BYTEA NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processed', 'error', 'rejected')),
    ack TEXT NOT NULL,
    issues TEXT,
    records TEXT,
    intake_id BIGINT NOT NULL REFERENCES intakes (id),
    reprocessed_at TIMESTAMPTZ,
    UNIQUE (sending_application, sending_facility, control_id)
);
CREATE INDEX inbound_messages_unprocessed ON inbound_messages (status, id) WHERE status <> 'processed';

-- Patients as registered by ADT^A04/A08: demographics and coverage, a new version only when
-- the record changes.
CREATE TABLE patient_records (
    patient_id TEXT NOT NULL,
    version INT NOT NULL CHECK (version > 0),
    clinic_id TEXT NOT NULL,
    record TEXT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    PRIMARY KEY (patient_id, version)
);

-- Appointments from SIU^S12/S14/S15 as the sender now has them (one row per appointment).
CREATE TABLE scheduled_visits (
    clinic_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    date_of_service DATE NOT NULL,
    start_time TEXT,
    duration_minutes INT,
    status TEXT NOT NULL,
    clinician_npi TEXT,
    discipline TEXT,
    planned_codes TEXT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    PRIMARY KEY (clinic_id, appointment_id)
);
CREATE INDEX scheduled_visits_by_patient ON scheduled_visits (patient_id, date_of_service);
