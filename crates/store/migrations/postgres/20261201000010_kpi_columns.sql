-- The discipline (pt, ot, slp) beside the record, so the KPIs are cut by it without reading
-- every record (a million visits' JSON was most of a dashboard read).
ALTER TABLE encounters ADD COLUMN discipline TEXT;
UPDATE encounters SET discipline = record::jsonb ->> 'discipline';
-- Increasing ids: their maximum tells the KPI cache cheaply whether anything was sent or
-- acknowledged since it read the facts (SQLite's tables have a rowid for this).
ALTER TABLE submitted_claims ADD COLUMN id BIGSERIAL;
ALTER TABLE claim_acknowledgments ADD COLUMN id BIGSERIAL;
-- Who booked the visit (the record's, else the SIU appointment's SCH-20): authorization and
-- eligibility denials are counted by it.
ALTER TABLE encounters ADD COLUMN scheduled_by TEXT;
UPDATE encounters SET scheduled_by = record::jsonb -> 'administrative' ->> 'scheduled_by';
ALTER TABLE scheduled_visits ADD COLUMN scheduled_by TEXT;
