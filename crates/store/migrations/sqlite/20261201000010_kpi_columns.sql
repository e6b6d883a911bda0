-- The discipline (pt, ot, slp) beside the record, so the KPIs are cut by it without reading
-- every record (a million visits' JSON was most of a dashboard read).
ALTER TABLE encounters ADD COLUMN discipline TEXT;
UPDATE encounters SET discipline = json_extract(record, '$.discipline');
-- submitted_claims and claim_acknowledgments keep their rowid: its maximum tells the KPI
-- cache cheaply whether anything was sent or acknowledged since it read the facts.
