-- Who may see a queue item, and how the lists filter it: the clinic and rendering NPI of its
-- encounter's latest version, kept with the item (as its charge is) so that a list walks the
-- items' index in its order instead of joining every encounter's latest version (PostgreSQL
-- hashed a million encounters for that join: 2 s a page).
ALTER TABLE queue_items ADD COLUMN clinic_id TEXT;
ALTER TABLE queue_items ADD COLUMN rendering_npi TEXT;
UPDATE queue_items SET
    clinic_id = (SELECT e.clinic_id FROM encounters e
                  WHERE e.encounter_id = queue_items.encounter_id ORDER BY e.version DESC LIMIT 1),
    rendering_npi = (SELECT e.rendering_npi FROM encounters e
                  WHERE e.encounter_id = queue_items.encounter_id ORDER BY e.version DESC LIMIT 1);
CREATE INDEX queue_items_open_by_clinic ON queue_items (clinic_id, entered_at, id)
    WHERE left_at IS NULL;
CREATE INDEX queue_items_open_by_provider ON queue_items (rendering_npi, entered_at, id)
    WHERE left_at IS NULL;
