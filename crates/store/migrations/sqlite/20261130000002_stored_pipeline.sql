-- The stored pipeline, as in migrations/postgres: encounter versions, scrub results, and
-- work-queue items.

CREATE TABLE encounters (
    encounter_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    patient_id TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (encounter_id, version)
);
CREATE INDEX encounters_by_patient ON encounters (patient_id);

CREATE TABLE scrub_results (
    encounter_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    encounter_version INTEGER NOT NULL,
    queue TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    findings TEXT NOT NULL,
    charge_cents INTEGER NOT NULL,
    reason TEXT NOT NULL,
    scrubbed_at TEXT NOT NULL,
    PRIMARY KEY (encounter_id, seq),
    FOREIGN KEY (encounter_id, encounter_version) REFERENCES encounters (encounter_id, version)
);

CREATE TABLE queue_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    encounter_id TEXT NOT NULL,
    queue TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    left_at TEXT,
    owner TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    findings TEXT NOT NULL
);
CREATE INDEX queue_items_open ON queue_items (queue) WHERE left_at IS NULL;
CREATE UNIQUE INDEX queue_items_one_open_per_encounter ON queue_items (encounter_id) WHERE left_at IS NULL;
