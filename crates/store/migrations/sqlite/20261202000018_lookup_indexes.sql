-- Lookups that read a whole table as it grew (measured on the demo's year of 20 clinics):
-- a 999 names our transaction set, and the claims it answers were found by sender alone
-- (every claim the sender ever submitted, four times a week); a 277CA's claims were checked
-- the same way. An intake lists each patient's visits and versions to take the records it
-- has not read before from its cache, which the index answers without reading the records.
CREATE INDEX submitted_claims_by_transaction
    ON submitted_claims (sender_id, transaction_control, claim_id);
CREATE INDEX submitted_claims_by_sender_claim ON submitted_claims (sender_id, claim_id);
CREATE INDEX encounters_versions_by_patient ON encounters (patient_id, encounter_id, version);
DROP INDEX encounters_by_patient;
