-- One original per claim and sender, as in migrations/postgres (see there for why).
ALTER TABLE submitted_claims ADD COLUMN resend INTEGER NOT NULL DEFAULT 0;
UPDATE submitted_claims SET resend = 1
WHERE frequency = '1'
  AND EXISTS (
      SELECT 1 FROM submitted_claims f
      WHERE f.sender_id = submitted_claims.sender_id AND f.claim_id = submitted_claims.claim_id
        AND f.frequency = '1' AND f.interchange_control < submitted_claims.interchange_control);
CREATE UNIQUE INDEX submitted_claims_one_original
    ON submitted_claims (sender_id, claim_id) WHERE frequency = '1' AND NOT resend;
