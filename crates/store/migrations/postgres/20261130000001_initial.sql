-- The schema as it stood when migrations began. Written with IF NOT EXISTS so that a database
-- created by an earlier cleanclaim (which made its tables on every connect) takes this first
-- migration without losing a row.

CREATE TABLE IF NOT EXISTS x12_control_numbers (
    sender_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ISA', 'GS', 'ST')),
    last BIGINT NOT NULL CHECK (last > 0),
    PRIMARY KEY (sender_id, kind)
);

CREATE TABLE IF NOT EXISTS submitted_claims (
    sender_id TEXT NOT NULL,
    interchange_control BIGINT NOT NULL,
    transaction_control BIGINT NOT NULL,
    claim_id TEXT NOT NULL,
    frequency TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    line_controls TEXT[] NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (sender_id, interchange_control, claim_id)
);
CREATE INDEX IF NOT EXISTS submitted_claims_by_claim ON submitted_claims (claim_id);
-- Columns added after the table: rows of older databases keep empty values, which match any
-- payee.
ALTER TABLE submitted_claims ADD COLUMN IF NOT EXISTS billing_npi TEXT NOT NULL DEFAULT '';
ALTER TABLE submitted_claims ADD COLUMN IF NOT EXISTS billing_tax_id TEXT NOT NULL DEFAULT '';

-- One row per 835 transaction set; the same trace number from the same payer is the same
-- payment, so it is refused a second time.
CREATE TABLE IF NOT EXISTS remittances (
    id BIGSERIAL PRIMARY KEY,
    payer_key TEXT NOT NULL,
    trace_number TEXT NOT NULL CHECK (trace_number <> ''),
    payer_name TEXT NOT NULL,
    payment_cents BIGINT NOT NULL,
    payment_date DATE,
    method TEXT NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (payer_key, trace_number)
);

CREATE TABLE IF NOT EXISTS remittance_claims (
    remittance_id BIGINT NOT NULL REFERENCES remittances (id),
    seq INT NOT NULL,
    claim_id TEXT NOT NULL,
    matched BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    charge_cents BIGINT NOT NULL,
    paid_cents BIGINT NOT NULL,
    patient_responsibility_cents BIGINT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    denied BOOLEAN NOT NULL,
    denied_lines INT NOT NULL,
    denied_cents BIGINT NOT NULL,
    cause TEXT,
    needs_review BOOLEAN NOT NULL,
    PRIMARY KEY (remittance_id, seq)
);
CREATE INDEX IF NOT EXISTS remittance_claims_by_claim ON remittance_claims (claim_id);

CREATE TABLE IF NOT EXISTS remittance_adjustments (
    remittance_id BIGINT NOT NULL,
    claim_seq INT NOT NULL,
    line_control TEXT,
    group_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    category TEXT NOT NULL,
    FOREIGN KEY (remittance_id, claim_seq) REFERENCES remittance_claims (remittance_id, seq)
);

CREATE TABLE IF NOT EXISTS remittance_provider_adjustments (
    remittance_id BIGINT NOT NULL REFERENCES remittances (id),
    provider_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_cents BIGINT NOT NULL
);

-- What 999s and 277CAs said of each claim; the same acknowledgment read twice adds nothing.
CREATE TABLE IF NOT EXISTS claim_acknowledgments (
    claim_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('TA1', '999', '277CA')),
    reference TEXT NOT NULL,
    accepted BOOLEAN NOT NULL,
    detail TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (claim_id, source, reference)
);
