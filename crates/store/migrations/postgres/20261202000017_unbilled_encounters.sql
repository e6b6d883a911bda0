-- The encounters that may not be billed yet: a superset kept small (every encounter id stored
-- enters; billing takes the ids it bills out), so a claims run and the holds a biller works
-- look at this week's visits and the open holds instead of scanning every encounter's latest
-- version and result (a million at a year of a 20-clinic organization, twice a week). The
-- queries still check that no claim was submitted, so an id left here is never billed twice.
CREATE TABLE unbilled_encounters (
    encounter_id TEXT PRIMARY KEY
);
INSERT INTO unbilled_encounters (encounter_id)
SELECT DISTINCT e.encounter_id FROM encounters e
WHERE NOT EXISTS (SELECT 1 FROM submitted_claims s WHERE s.claim_id = e.encounter_id)
  AND NOT EXISTS (SELECT 1 FROM submitted_claims s
                  WHERE s.claim_id > e.encounter_id || '-' AND s.claim_id < e.encounter_id || '.');
