-- The service, as in migrations/postgres: clinics, users, API tokens, sessions, the
-- hash-chained audit log, idempotency keys, and each encounter version's clinic, rendering
-- provider and payer.

CREATE TABLE clinics (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE CHECK (username <> ''),
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'biller', 'therapist', 'front_desk', 'auditor', 'integration')),
    npi TEXT,
    all_clinics INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE user_clinics (
    user_id INTEGER NOT NULL REFERENCES users (id),
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    PRIMARY KEY (user_id, clinic_id)
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at TEXT
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY CHECK (seq > 0),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT,
    patient_id TEXT,
    clinic_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_patient ON audit_events (patient_id, seq);
CREATE INDEX audit_events_by_actor ON audit_events (actor, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE idempotency_keys (
    user_id INTEGER NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

ALTER TABLE encounters ADD COLUMN clinic_id TEXT;
ALTER TABLE encounters ADD COLUMN rendering_npi TEXT;
ALTER TABLE encounters ADD COLUMN payer_id TEXT;
UPDATE encounters SET
    clinic_id = json_extract(record, '$.administrative.location'),
    rendering_npi = json_extract(record, '$.compliance.rendering.npi'),
    payer_id = json_extract(record, '$.administrative.payer.id');
CREATE INDEX encounters_by_clinic ON encounters (clinic_id, date_of_service);

CREATE TABLE claim_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL,
    interchange_control INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    claim_count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    clinics TEXT,
    x12 TEXT NOT NULL
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('post_remittance')),
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    worker TEXT,
    result TEXT,
    error TEXT
);
CREATE INDEX jobs_queued ON jobs (id) WHERE status = 'queued';

CREATE TABLE job_attempts (
    job_id INTEGER NOT NULL,
    worker TEXT NOT NULL,
    started_at TEXT NOT NULL
);
CREATE INDEX job_attempts_by_job ON job_attempts (job_id);

-- The organization's clinicians: credential, license, supervisor and clinic, by NPI.
CREATE TABLE providers (
    npi TEXT PRIMARY KEY,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('pt', 'pta', 'ot', 'ota', 'slp', 'student')),
    license_state TEXT,
    license_number TEXT,
    license_expires TEXT,
    supervisor_npi TEXT,
    clinic_id TEXT REFERENCES clinics (id),
    updated_at TEXT NOT NULL
);
