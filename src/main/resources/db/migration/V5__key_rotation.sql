-- Key rotation: a key's secret can be replaced while the key (its id, limits, budget and spend) stays.
-- The previous secret, kept only as its SHA-256 like the current one, works until previous_expires_at,
-- so that callers can move to the new one without an outage. NULL = no previous secret.
ALTER TABLE virtual_key ADD COLUMN previous_hash CHAR(64);
ALTER TABLE virtual_key ADD COLUMN previous_expires_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX virtual_key_previous_hash ON virtual_key (previous_hash);
-- A rotation is in the audit trail (admin_event) as the action key.rotate.
