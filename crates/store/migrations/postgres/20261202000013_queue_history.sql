-- An encounter's stays (its trace, its history) by encounter, open or not.
CREATE INDEX queue_items_by_encounter ON queue_items (encounter_id);
