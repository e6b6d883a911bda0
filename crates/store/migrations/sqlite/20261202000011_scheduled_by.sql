-- Who booked the visit (the record's, else the SIU appointment's SCH-20): authorization and
-- eligibility denials are counted by it.
ALTER TABLE encounters ADD COLUMN scheduled_by TEXT;
UPDATE encounters SET scheduled_by = json_extract(record, '$.administrative.scheduled_by');
ALTER TABLE scheduled_visits ADD COLUMN scheduled_by TEXT;
