-- A claim is sent as an original once per sender: a second original is denied as a duplicate
-- (CARC 18). The check and the insert used to be separate steps, so concurrent `claims` runs
-- could each send the same originals; a unique index makes recording the one atomic step.
-- `resend` marks originals sent again on purpose (`--allow-resend`), which the index allows.
ALTER TABLE submitted_claims ADD COLUMN resend BOOLEAN NOT NULL DEFAULT false;
-- Earlier databases may hold originals sent more than once: all but the first become resends.
UPDATE submitted_claims s SET resend = true
WHERE s.frequency = '1'
  AND EXISTS (
      SELECT 1 FROM submitted_claims f
      WHERE f.sender_id = s.sender_id AND f.claim_id = s.claim_id AND f.frequency = '1'
        AND f.interchange_control < s.interchange_control);
CREATE UNIQUE INDEX submitted_claims_one_original
    ON submitted_claims (sender_id, claim_id) WHERE frequency = '1' AND NOT resend;
