-- The same tables as migrations/postgres, in SQLite's types: integer cents, booleans as
-- 0/1, times as ISO 8601 text in UTC (written by cleanclaim, so they sort as they read), and
-- a claim's line control numbers as a JSON array.

CREATE TABLE x12_control_numbers (
    sender_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ISA', 'GS', 'ST')),
    last INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (sender_id, kind)
);

CREATE TABLE submitted_claims (
    sender_id TEXT NOT NULL,
    interchange_control INTEGER NOT NULL,
    transaction_control INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    frequency TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    line_controls TEXT NOT NULL CHECK (json_valid(line_controls)),
    submitted_at TEXT NOT NULL,
    billing_npi TEXT NOT NULL DEFAULT '',
    billing_tax_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sender_id, interchange_control, claim_id)
);
CREATE INDEX submitted_claims_by_claim ON submitted_claims (claim_id);

CREATE TABLE remittances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payer_key TEXT NOT NULL,
    trace_number TEXT NOT NULL CHECK (trace_number <> ''),
    payer_name TEXT NOT NULL,
    payment_cents INTEGER NOT NULL,
    payment_date TEXT,
    method TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    UNIQUE (payer_key, trace_number)
);

CREATE TABLE remittance_claims (
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    seq INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    matched INTEGER NOT NULL,
    status TEXT NOT NULL,
    charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL,
    patient_responsibility_cents INTEGER NOT NULL,
    payer_claim_number TEXT NOT NULL,
    denied INTEGER NOT NULL,
    denied_lines INTEGER NOT NULL,
    denied_cents INTEGER NOT NULL,
    cause TEXT,
    needs_review INTEGER NOT NULL,
    PRIMARY KEY (remittance_id, seq)
);
CREATE INDEX remittance_claims_by_claim ON remittance_claims (claim_id);

CREATE TABLE remittance_adjustments (
    remittance_id INTEGER NOT NULL,
    claim_seq INTEGER NOT NULL,
    line_control TEXT,
    group_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    category TEXT NOT NULL,
    FOREIGN KEY (remittance_id, claim_seq) REFERENCES remittance_claims (remittance_id, seq)
);

CREATE TABLE remittance_provider_adjustments (
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    provider_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_cents INTEGER NOT NULL
);

CREATE TABLE claim_acknowledgments (
    claim_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('TA1', '999', '277CA')),
    reference TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    detail TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (claim_id, source, reference)
);
