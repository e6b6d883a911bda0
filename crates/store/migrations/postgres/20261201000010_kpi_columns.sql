-- The discipline (pt, ot, slp) beside the record, so the KPIs are cut by it without reading
-- every record (a million visits' JSON was most of a dashboard read).
ALTER TABLE encounters ADD COLUMN discipline TEXT;
UPDATE encounters SET discipline = record::jsonb ->> 'discipline';
-- Increasing ids: their maximum tells the KPI cache cheaply whether anything was sent or
-- acknowledged since it read the facts (SQLite's tables have a rowid for this).
ALTER TABLE submitted_claims ADD COLUMN id BIGSERIAL;
ALTER TABLE claim_acknowledgments ADD COLUMN id BIGSERIAL;
