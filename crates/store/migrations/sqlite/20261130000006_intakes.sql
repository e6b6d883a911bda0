-- Intakes, as in migrations/postgres.

CREATE TABLE intakes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    new_encounters INTEGER NOT NULL DEFAULT 0,
    corrected INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    results INTEGER NOT NULL DEFAULT 0,
    context_records INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE encounters ADD COLUMN intake_id INTEGER REFERENCES intakes (id);
ALTER TABLE encounters ADD COLUMN source TEXT;
