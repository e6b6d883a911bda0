-- The work queues list open items newest, oldest or by dollars, 500 at a time, out of a
-- hundred thousand at a year of a 20-clinic organization: each order walks an index and
-- stops, instead of sorting every open item (the dollars order computed each one's charge
-- from its latest scrub). The charge is the latest scrub result's, kept with the item as the
-- findings are.
ALTER TABLE queue_items ADD COLUMN charge_cents INTEGER NOT NULL DEFAULT 0;
UPDATE queue_items SET charge_cents = COALESCE(
    (SELECT r.charge_cents FROM scrub_results r
      WHERE r.encounter_id = queue_items.encounter_id ORDER BY r.seq DESC LIMIT 1), 0);
CREATE INDEX queue_items_open_by_age ON queue_items (entered_at, id) WHERE left_at IS NULL;
CREATE INDEX queue_items_open_by_dollars ON queue_items (charge_cents DESC, entered_at, id)
    WHERE left_at IS NULL;
