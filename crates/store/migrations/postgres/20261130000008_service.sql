-- The service: clinics, users and the clinics they may see, API tokens, login sessions, the
-- hash-chained audit log, and idempotency keys. Each encounter version names its clinic,
-- rendering provider and payer, so that access is scoped and lists are filtered without
-- reading records.

CREATE TABLE clinics (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (username <> ''),
    -- Argon2id in PHC string form; NULL for an integration that signs in with tokens only.
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'biller', 'therapist', 'front_desk', 'auditor', 'integration')),
    -- A therapist's own NPI: a therapist sees the visits they rendered.
    npi TEXT,
    -- Organization-wide users (an RCM leader, an auditor) see every clinic.
    all_clinics BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_clinics (
    user_id BIGINT NOT NULL REFERENCES users (id),
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    PRIMARY KEY (user_id, clinic_id)
);

-- Only the SHA-256 of a token is kept: a stolen table signs nobody in.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);

-- Append-only and hash-chained: `seq` runs from 1 without gaps, and each row's hash covers the
-- row and the hash before it, so an edited, deleted or reordered row breaks the chain
-- (`cleanclaim audit verify`). Identifiers only, never a record's contents.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY CHECK (seq > 0),
    at TIMESTAMPTZ NOT NULL,
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

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- A create sent again with the same key (per user) gets the first answer, and is not stored
-- twice; the same key with a different body is refused.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INT NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

ALTER TABLE encounters ADD COLUMN clinic_id TEXT;
ALTER TABLE encounters ADD COLUMN rendering_npi TEXT;
ALTER TABLE encounters ADD COLUMN payer_id TEXT;
UPDATE encounters SET
    clinic_id = record::jsonb #>> '{administrative,location}',
    rendering_npi = record::jsonb #>> '{compliance,rendering,npi}',
    payer_id = record::jsonb #>> '{administrative,payer,id}';
CREATE INDEX encounters_by_clinic ON encounters (clinic_id, date_of_service);

-- A claim file the service made, kept for download, recorded in the transaction that records
-- its claims.
CREATE TABLE claim_batches (
    id BIGSERIAL PRIMARY KEY,
    sender_id TEXT NOT NULL,
    interchange_control BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    claim_count BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    -- The maker's clinics, comma-separated; NULL when made by an organization-wide user.
    clinics TEXT,
    x12 TEXT NOT NULL
);

-- Background work any server process may do: claimed with `FOR UPDATE SKIP LOCKED` (held
-- until the job is done, so a process that dies mid-job releases it to another), done in a
-- way that is safe to repeat (a remittance is posted once per trace number).
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('post_remittance')),
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    worker TEXT,
    result TEXT,
    error TEXT
);
CREATE INDEX jobs_queued ON jobs (id) WHERE status = 'queued';

-- Each time a worker takes a job, written outside the job's lock (no foreign key: it would
-- wait on the locked row), so attempts by workers that died are still counted.
CREATE TABLE job_attempts (
    job_id BIGINT NOT NULL,
    worker TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL
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
    license_expires DATE,
    supervisor_npi TEXT,
    clinic_id TEXT REFERENCES clinics (id),
    updated_at TIMESTAMPTZ NOT NULL
);
