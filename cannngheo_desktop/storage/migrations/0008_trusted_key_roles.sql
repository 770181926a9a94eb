-- Key cards version 2: the fingerprint covers the unit's role and unit code as well as both
-- public keys (exchange/crypto.py: keycard_fingerprint), so the roster records each trusted
-- key's role. Rows trusted before keep their 16-digit fingerprint until exchange/roster.py
-- recomputes it from the stored key, unit code and role (upgrade_fingerprints, audited).
ALTER TABLE trusted_keys ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('commune', 'aggregator'));

-- One active encryption key per unit. Before, a second card for a unit was added beside the
-- first and the newest encryption key was the one used: keep exactly that one, revoke (and audit)
-- the older ones, so nothing a copy sends changes by this upgrade.
INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after)
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', 'trusted_keys', t.id, 'delete', NULL, NULL,
       '{"revoked": true, "reason": "migration 8: one active encryption key per unit (the newest was in use)"}'
FROM trusted_keys AS t
WHERE t.kind = 'encrypt' AND t.revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM trusted_keys AS n
    WHERE n.unit_code = t.unit_code AND n.kind = 'encrypt' AND n.revoked_at IS NULL
      AND (n.added_at > t.added_at OR (n.added_at = t.added_at AND n.id > t.id)));

UPDATE trusted_keys SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE kind = 'encrypt' AND revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM trusted_keys AS n
    WHERE n.unit_code = trusted_keys.unit_code AND n.kind = 'encrypt' AND n.revoked_at IS NULL
      AND (n.added_at > trusted_keys.added_at OR (n.added_at = trusted_keys.added_at AND n.id > trusted_keys.id)));

CREATE UNIQUE INDEX trusted_keys_one_active_encrypt ON trusted_keys(unit_code) WHERE kind = 'encrypt' AND revoked_at IS NULL;
