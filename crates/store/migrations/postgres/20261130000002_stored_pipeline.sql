-- The stored pipeline: every version of every encounter as received, every scrub result with
-- the pack that produced it and why it was made, and the work-queue items people work.

CREATE TABLE encounters (
    encounter_id TEXT NOT NULL,
    version INT NOT NULL CHECK (version > 0),
    patient_id TEXT NOT NULL,
    date_of_service DATE NOT NULL,
    -- The record as cleanclaim read it (JSON): the next scrub is made from this.
    record TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (encounter_id, version)
);
CREATE INDEX encounters_by_patient ON encounters (patient_id);

CREATE TABLE scrub_results (
    encounter_id TEXT NOT NULL,
    seq INT NOT NULL CHECK (seq > 0),
    encounter_version INT NOT NULL,
    queue TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    -- `rule_id: message` per finding, one per line, in the scrubber's order.
    findings TEXT NOT NULL,
    charge_cents BIGINT NOT NULL,
    reason TEXT NOT NULL,
    scrubbed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (encounter_id, seq),
    FOREIGN KEY (encounter_id, encounter_version) REFERENCES encounters (encounter_id, version)
);

CREATE TABLE queue_items (
    id BIGSERIAL PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    queue TEXT NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    left_at TIMESTAMPTZ,
    owner TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    findings TEXT NOT NULL
);
CREATE INDEX queue_items_open ON queue_items (queue) WHERE left_at IS NULL;
CREATE UNIQUE INDEX queue_items_one_open_per_encounter ON queue_items (encounter_id) WHERE left_at IS NULL;
