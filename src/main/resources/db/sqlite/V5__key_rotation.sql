-- Key rotation for SQLite: the same as db/migration/V5__key_rotation.sql but for the timestamp, which
-- is TEXT as in V1.
ALTER TABLE virtual_key ADD COLUMN previous_hash CHAR(64);
ALTER TABLE virtual_key ADD COLUMN previous_expires_at TEXT;
CREATE INDEX virtual_key_previous_hash ON virtual_key (previous_hash);
-- A rotation is in the audit trail (admin_event) as the action key.rotate.
