-- Each intake (one `ingest`, one batch through the service) is a row, written in the same
-- transaction as its encounters: which intake brought each version, from which input and
-- line, and the intake's counts. A version's `received` is NULL when the sender's text is
-- `record` itself (or was not kept), so the common case stores the record once.

CREATE TABLE intakes (
    id BIGSERIAL PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    records BIGINT NOT NULL DEFAULT 0,
    new_encounters BIGINT NOT NULL DEFAULT 0,
    corrected BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    results BIGINT NOT NULL DEFAULT 0,
    context_records BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE encounters ADD COLUMN intake_id BIGINT REFERENCES intakes (id);
-- Where the record came from: `input:line`.
ALTER TABLE encounters ADD COLUMN source TEXT;
